//! safetensors, `.npy` and matrix CSV: round trips (bit for bit) over random names and shapes,
//! files written by PyTorch and NumPy read to the expected values, files the crate writes kept
//! byte for byte (and checked to load in NumPy and the safetensors package by
//! `fixtures/io/check_crate_files.py`, which `.ci/run` runs in a venv; in PyTorch too by the
//! fixture script), and the exact error for each kind of malformed input.
//!
//! Fixtures: `tests/fixtures/io/make.py` (PyTorch, NumPy and the `safetensors` package; the
//! versions are recorded in `expected.json`). Set `TAPEGRAD_BLESS=1` to rewrite the crate's
//! own files in `tests/fixtures/io/from_crate/` after an intended format change, then rerun
//! the script to check them in PyTorch and NumPy.

mod common;

use proptest::prelude::*;
use serde_json::Value;
use std::path::PathBuf;
use tapegrad::io::csv::{Csv, Header};
use tapegrad::io::{npy, safetensors};
use tapegrad::nn::Params;
use tapegrad::{Rng, Tensor};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/io")
        .join(name)
}

/// The parameters the crate writes to `from_crate/model.safetensors` (fixed values).
fn crate_params() -> Params {
    let mut p = Params::new();
    p.add(
        "0.weight",
        &Tensor::from_fn(3, 2, |i, j| (i as f64) - 0.5 * j as f64 + 0.125),
    );
    p.add("0.bias", &Tensor::row(&[0.1, -0.2, 0.3]));
    p.add("2.weight", &Tensor::from_rows(&[[1e-300, -2.5, f64::MAX]]));
    p.add("2.bias", &Tensor::scalar(-0.0));
    p
}

fn crate_matrix() -> Tensor {
    Tensor::from_fn(4, 3, |i, j| (i * 3 + j) as f64 / 7.0 - 1.0)
}

/// The crate's files equal the committed bytes (which `make.py` checks load in PyTorch and
/// NumPy to these values).
#[test]
fn the_crate_writes_the_committed_bytes() {
    let files = [
        (
            "from_crate/model.safetensors",
            safetensors::to_bytes(&crate_params(), &[("sizes", "2,3,1")]),
        ),
        ("from_crate/matrix.npy", npy::to_bytes(&crate_matrix())),
    ];
    for (name, bytes) in files {
        let path = fixture(name);
        if std::env::var_os("TAPEGRAD_BLESS").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(committed, bytes, "{name}: the crate's bytes changed");
    }
}

/// Files written by PyTorch (`safetensors.torch.save_file`) and NumPy (`np.save`) read to the
/// values the script recorded, exactly (F32, F16 and BF16 values are exact in f64).
#[test]
fn files_from_pytorch_and_numpy_read_exactly() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("expected.json")).unwrap()).unwrap();
    let st = safetensors::read(fixture("from_python/torch.safetensors")).unwrap();
    let want = expected["safetensors"].as_object().unwrap();
    assert_eq!(st.tensors.len(), want.len());
    for t in &st.tensors {
        let w = &want[&t.name];
        assert_eq!(t.value, common::json_matrix(&w["values"]), "{}", t.name);
        let shape: Vec<usize> = w["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(t.shape, shape, "{}", t.name);
    }
    assert!(
        st.metadata
            .contains(&("format".to_string(), "pt".to_string()))
    );
    for (name, w) in expected["npy"].as_object().unwrap() {
        let got = npy::read(fixture(&format!("from_python/{name}"))).unwrap();
        assert_eq!(got, common::json_matrix(w), "{name}");
    }
    // Loading the PyTorch model into parameters of the same layout, biases stored as [n].
    let mut p = Params::new();
    p.add("0.weight", &Tensor::zeros(3, 2));
    p.add("0.bias", &Tensor::zeros(1, 3));
    let (torch_model, _) =
        safetensors::load(fixture("from_python/torch_linear.safetensors")).unwrap();
    safetensors::load_into(&mut p, fixture("from_python/torch_linear.safetensors")).unwrap();
    for name in ["0.weight", "0.bias"] {
        let (a, b) = (
            p.get(p.find(name).unwrap()),
            torch_model.get(torch_model.find(name).unwrap()),
        );
        assert_eq!(a.as_slice(), b.as_slice(), "{name}");
    }
    assert_eq!(
        torch_model.views()[0].name,
        "0.bias",
        "a fresh load keeps the file's order"
    );
    let err = npy::read(fixture("from_python/three_d.npy")).unwrap_err();
    assert!(err.to_string().contains("has 3 dimensions"), "{err}");
    let err = npy::read(fixture("from_python/object.npy")).unwrap_err();
    assert!(
        err.to_string().contains("dtype '|O' is not supported"),
        "{err}"
    );
}

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_.\"\\\\ é✓-]{1,12}"
}

proptest! {
    #![proptest_config(common::proptest_config(64))]

    /// Any parameters survive a safetensors round trip bit for bit (NaN payloads, signed
    /// zeros and subnormals included), with names that need JSON escaping.
    #[test]
    fn safetensors_round_trip(names in prop::collection::btree_set(name(), 1..6), seed in 0u64..1000) {
        let mut rng = Rng::new(seed);
        let mut p = Params::new();
        for n in &names {
            let (r, c) = (1 + rng.index(4), 1 + rng.index(4));
            let bits: Vec<f64> = (0..r * c).map(|_| f64::from_bits(rng.next_u64())).collect();
            p.add(n, &Tensor::from_vec(r, c, bits));
        }
        let bytes = safetensors::to_bytes(&p, &[("k", "v\"\n✓")]);
        let (q, meta) = safetensors::load(tempfile(&bytes, "st")).unwrap();
        prop_assert_eq!(meta, vec![("k".to_string(), "v\"\n✓".to_string())]);
        prop_assert_eq!(q.views().len(), p.views().len());
        let same_bits = q.as_slice().iter().zip(p.as_slice()).all(|(a, b)| a.to_bits() == b.to_bits());
        prop_assert!(same_bits);
    }

    /// Any matrix survives a `.npy` round trip bit for bit.
    #[test]
    fn npy_round_trip(r in 0usize..6, c in 0usize..6, seed in 0u64..1000) {
        let mut rng = Rng::new(seed);
        let t = Tensor::from_fn(r, c, |_, _| f64::from_bits(rng.next_u64()));
        let back = npy::parse(&npy::to_bytes(&t), "t.npy").unwrap();
        prop_assert_eq!(back.shape(), t.shape());
        prop_assert!(back.as_slice().iter().zip(t.as_slice()).all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    /// Any finite matrix survives a CSV round trip exactly.
    #[test]
    fn csv_round_trip(r in 1usize..6, c in 1usize..6, seed in 0u64..1000) {
        let t = Tensor::rand_normal(r, c, 0.0, 1e3, &mut Rng::new(seed)).map(|x| x * 1e-7);
        let text = tapegrad::io::csv::to_string(&t, None);
        prop_assert_eq!(Csv::new().header(Header::Absent).parse(&text, "t.csv").unwrap().x, t);
    }
}

/// A file in the temp dir holding `bytes` (removed when the process exits is not needed: the
/// names are unique per process and case).
fn tempfile(bytes: &[u8], ext: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "tapegrad-io-{}-{}.{ext}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A valid file with `header` as its JSON header and `data` bytes after it.
fn st_bytes(header: &str, data: &[u8]) -> Vec<u8> {
    let mut b = (header.len() as u64).to_le_bytes().to_vec();
    b.extend_from_slice(header.as_bytes());
    b.extend_from_slice(data);
    b
}

#[test]
fn malformed_safetensors_get_named_errors() {
    let f64s = |n: usize| vec![0u8; 8 * n];
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            vec![1, 2, 3],
            "3 bytes: too short for the 8-byte header length",
        ),
        (
            u64::MAX.to_le_bytes().to_vec(),
            "header length 18446744073709551615 exceeds the 0 bytes after it",
        ),
        (
            st_bytes("{\"w\":", &[]),
            "header JSON: expected a JSON value, found end of input",
        ),
        (st_bytes("[1]", &[]), "the header is not a JSON object"),
        (
            st_bytes(
                r#"{"w":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}"#,
                &[0],
            ),
            "tensor \"w\": dtype \"I8\" is not supported",
        ),
        (
            st_bytes(
                r#"{"w":{"dtype":"F64","shape":[2,2,2],"data_offsets":[0,64]}}"#,
                &f64s(8),
            ),
            "has 3 dimensions",
        ),
        (
            st_bytes(
                r#"{"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#,
                &f64s(1),
            ),
            "shape [4294967296, 4294967296] overflows",
        ),
        (
            st_bytes(
                r#"{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#,
                &f64s(1),
            ),
            "data_offsets [0, 8] do not hold 16 bytes",
        ),
        (
            st_bytes(
                r#"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}"#,
                &f64s(2),
            ),
            "starts at byte 8 of the data, expected 16 (overlap or gap)",
        ),
        (
            st_bytes(
                r#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#,
                &f64s(2),
            ),
            "the tensors cover 8 bytes of data, the file holds 16",
        ),
        (
            st_bytes(
                r#"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"a":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}"#,
                &f64s(2),
            ),
            "tensor \"a\" appears twice",
        ),
        (
            st_bytes(
                r#"{"w":{"dtype":"F64","shape":[-1],"data_offsets":[0,8]}}"#,
                &f64s(1),
            ),
            "shape entry -1 is not a non-negative integer",
        ),
        (
            {
                let mut b = st_bytes("{\"\u{e9}\":{}}", &[]);
                b[10] = 0xff;
                b
            },
            "the header is not UTF-8",
        ),
    ];
    for (bytes, want) in cases {
        let err = safetensors::parse(&bytes, "m.safetensors")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("m.safetensors: ") && err.contains(want),
            "want {want:?}, got {err:?}"
        );
    }
}

#[test]
fn loading_into_parameters_lists_every_mismatch() {
    let bytes = safetensors::to_bytes(&crate_params(), &[]);
    let mut p = Params::new();
    p.add("0.weight", &Tensor::zeros(2, 3));
    p.add("0.bias", &Tensor::zeros(3, 1));
    p.add("9.extra", &Tensor::zeros(1, 1));
    let before = p.clone();
    let err = safetensors::load_bytes_into(&mut p, &bytes, "m.safetensors").unwrap_err();
    assert_eq!(
        err.to_string(),
        "m.safetensors: does not match the parameters: 0.weight: stored [3, 2], the view is \
         [2x3]; 9.extra: missing from the file; 2.weight: in the file but not in the \
         parameters; 2.bias: in the file but not in the parameters"
    );
    assert_eq!(p, before, "nothing is written on a mismatch");
}

#[test]
fn malformed_npy_get_named_errors() {
    let with = |header: &str, data: &[u8]| {
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(header.len() as u16).to_le_bytes());
        b.extend_from_slice(header.as_bytes());
        b.extend_from_slice(data);
        b
    };
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"PK\x03\x04".to_vec(), "is a zip archive, as an .npz is"),
        (b"GIF89a, not an array".to_vec(), "not a .npy file"),
        (
            b"\x93NUMPY\x01\x00\xff\x00{".to_vec(),
            "header length 255 exceeds the file's 11 bytes",
        ),
        (
            b"\x93NUMPY\x09\x00\x00\x00".to_vec(),
            "format version 9.0 is not supported",
        ),
        (
            with(
                "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }",
                &[0; 16],
            ),
            "dtype '<c16' is not supported",
        ),
        (
            with(
                "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                &[0; 8],
            ),
            "needs 16 bytes of data, the file has 8",
        ),
        (
            with(
                "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 99999999999), }",
                &[],
            ),
            "overflows",
        ),
        (
            with(
                "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,), }",
                &[0; 8],
            ),
            "fortran_order is not True or False",
        ),
        (
            with("{'descr': '<f8', 'shape': (1, 2, 3), }", &[0; 48]),
            "has 3 dimensions",
        ),
        (
            with("{'descr': '<f8', 'fortran_order': False, }", &[]),
            "the header has no 'shape'",
        ),
    ];
    for (bytes, want) in cases {
        let err = npy::parse(&bytes, "a.npy").unwrap_err().to_string();
        assert!(
            err.starts_with("a.npy: ") && err.contains(want),
            "want {want:?}, got {err:?}"
        );
    }
}

/// Each malformed CSV input and the exact error it gets.
#[test]
fn malformed_csv_get_exact_errors() {
    let cases = [
        ("", Csv::new(), "t.csv: no data rows"),
        ("a,b\n", Csv::new(), "t.csv: no data rows after the header"),
        (
            "1,2\n3\n",
            Csv::new(),
            "t.csv:2:2: expected 2 fields (as on line 1), found 1",
        ),
        (
            "1,2\n3,4,5\n",
            Csv::new(),
            "t.csv:2:3: expected 2 fields (as on line 1), found 3",
        ),
        (
            "a,b\n1,\n",
            Csv::new(),
            "t.csv:2:2: column \"b\": an empty field",
        ),
        (
            "1,x\n",
            Csv::new().header(Header::Absent),
            "t.csv:1:2: \"x\" is not a number",
        ),
        ("1,inf\n", Csv::new(), "t.csv:1:2: \"inf\" is not finite"),
        (
            "1,\"2\n",
            Csv::new(),
            "t.csv:1:2: unterminated quoted field",
        ),
        (
            "1,\"2\"x\n",
            Csv::new(),
            "t.csv:1:2: unexpected 'x' after a quoted field",
        ),
        (
            "a,b\n1,2\n",
            Csv::new().target("y"),
            "t.csv: no column named \"y\" (columns: a, b)",
        ),
        (
            "1,2\n",
            Csv::new().target(2),
            "t.csv: column index 2 is out of range: the table has 2 columns",
        ),
    ];
    for (text, csv, want) in cases {
        let err = csv.parse(text, "t.csv").unwrap_err();
        assert_eq!(err.to_string(), want, "{text:?}");
    }
    // The points reader is this reader, with its `file:line:column: problem` form.
    let err = tapegrad::io::csv::parse_points("1,2\n3,x\n", "p.csv").unwrap_err();
    assert_eq!(err.to_string(), "p.csv:2:2: \"x\" is not a number");
}

#[test]
fn csv_reads_spreadsheet_habits() {
    let text = "\u{feff}# exported\r\n\"feature, one\";\"y\"\r\n\r\n\"1,5\";2\r\n  3 ; \"4\" \r\n";
    let d = Csv::new().delimiter(';').target("y").parse(text, "t.csv");
    // "1,5" is not a number (the decimal separator is '.'): the error names it.
    assert_eq!(
        d.unwrap_err().to_string(),
        "t.csv:4:1: column \"feature, one\": \"1,5\" is not a number"
    );
    let text = "\u{feff}# exported\r\n\"feature, one\";\"y\"\r\n\r\n\"1.5\";2\r\n  3 ; \"4\" \r\n";
    let d = Csv::new()
        .delimiter(';')
        .target("y")
        .parse(text, "t.csv")
        .unwrap();
    assert_eq!(d.x, Tensor::column(&[1.5, 3.0]));
    assert_eq!(d.y, Tensor::column(&[2.0, 4.0]));
    assert_eq!(
        (d.x_names.clone(), d.y_names.clone()),
        (vec!["feature, one".to_string()], vec!["y".to_string()])
    );
}

/// Hostile files, round two (issue 31): many tensors parse and load in linear time, and past
/// the limit are refused (C2: 80 000 zero-size tensors took 12 s to parse, 23 s to load); an
/// error quotes at most 200 characters of a field (U3); lone-CR line ends are lines (U4); a
/// header name with a line break round-trips (U5); an .npz and a truncated .npy are named
/// for what they are (U6, U7).
#[test]
fn hostile_files_round_two() {
    let many = |n: usize| -> Vec<u8> {
        let entries: Vec<String> = (0..n)
            .map(|k| format!("\"t{k}\":{{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[0,0]}}"))
            .collect();
        let header = format!("{{{}}}", entries.join(","));
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(header.as_bytes());
        bytes
    };
    let start = std::time::Instant::now();
    let bytes = many(80_000);
    let st = safetensors::parse(&bytes, "many.safetensors").unwrap();
    assert_eq!(st.tensors.len(), 80_000);
    let path =
        std::env::temp_dir().join(format!("tapegrad-many-{}.safetensors", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    let (params, _) = safetensors::load(&path).unwrap();
    assert_eq!(params.views().len(), 80_000);
    let mut into = Params::new();
    into.add("w", &Tensor::zeros(1, 1));
    let err = safetensors::load_into(&mut into, &path)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("and 79991 more") && err.len() < 2000,
        "{}",
        &err[..err.len().min(300)]
    );
    std::fs::remove_file(&path).unwrap();
    assert!(
        start.elapsed().as_secs_f64() < 10.0,
        "{:?}",
        start.elapsed()
    );
    let err = safetensors::parse(&many(safetensors::MAX_TENSORS + 1), "m").unwrap_err();
    assert!(
        err.to_string()
            .contains("more than the limit of 100000 tensors"),
        "{err}"
    );

    let huge = format!("a\n{}x\n", "9".repeat(1_000_000));
    let err = Csv::new().parse(&huge, "h.csv").unwrap_err().to_string();
    assert!(
        err.len() < 400 && err.contains("(1000001 characters)"),
        "{}",
        &err[..200]
    );

    // A stray quote in a comment or inside an unquoted field does not join the lines after it.
    let d = Csv::new()
        .parse("# a 12\" screen\nx,y\n1,2\n3,4\n", "c.csv")
        .unwrap();
    assert_eq!(d.x.rows(), 2);
    let d = Csv::new().parse("in\",y\n1,2\n", "q.csv").unwrap();
    assert_eq!(d.x_names[0], "in\"");
    // Names with a lone CR, or starting with '#', round-trip too.
    let t1 = Tensor::from_rows(&[[1.0, 2.0]]);
    let text = tapegrad::io::csv::to_string(&t1, Some(&["a\rb", "#c"]));
    assert_eq!(
        Csv::new().parse(&text, "n.csv").unwrap().x_names,
        ["a\rb", "#c"]
    );
    let cr = Csv::new().parse("a,b\r1,2\r3,4\r", "mac.csv").unwrap();
    assert_eq!(cr.x, Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]));

    let t = Tensor::from_rows(&[[1.0, 2.0]]);
    let text = tapegrad::io::csv::to_string(&t, Some(&["line\nbreak", "b"]));
    let back = Csv::new().parse(&text, "t.csv").unwrap();
    assert_eq!(
        (back.x, back.x_names),
        (t, vec!["line\nbreak".to_string(), "b".to_string()])
    );

    let dir = std::env::temp_dir();
    let npz = dir.join(format!("tapegrad-{}.npz", std::process::id()));
    std::fs::write(&npz, b"PK\x03\x04rest of a zip").unwrap();
    let err = Csv::new().read(&npz).unwrap_err().to_string();
    assert!(err.contains("is a zip archive (an .npz?)"), "{err}");
    let err = npy::read(&npz).unwrap_err().to_string();
    assert!(err.contains("is a zip archive, as an .npz is"), "{err}");
    std::fs::remove_file(&npz).unwrap();
    let err = npy::parse(b"\x93NUMPY\x01", "cut.npy")
        .unwrap_err()
        .to_string();
    assert!(err.contains("truncated: 7 bytes"), "{err}");
}
