//! Data helpers: polynomial features, standardization, CSV points with line numbers.

use tapegrad::Tensor;
use tapegrad::data::{Standardizer, poly_features};
use tapegrad::io::DataError;
use tapegrad::io::csv::{parse_points, read_points};

#[test]
fn polynomial_features_with_and_without_constant() {
    let x = [2.0, -1.0, 0.5];
    assert_eq!(
        poly_features(&x, 3),
        Tensor::from_rows(&[
            [1.0, 2.0, 4.0, 8.0],
            [1.0, -1.0, 1.0, -1.0],
            [1.0, 0.5, 0.25, 0.125]
        ])
    );
    assert_eq!(
        poly_features(&x, 2).slice(.., 1..),
        Tensor::from_rows(&[[2.0, 4.0], [-1.0, 1.0], [0.5, 0.25]])
    );
}

#[test]
fn standardization_round_trips_and_maps_coefficients_back() {
    let x = poly_features(&[2.0, 2.5, 3.0, 4.0, 5.0], 3).slice(.., 1..);
    let s = Standardizer::fit(&x);
    let z = s.transform(&x);
    for j in 0..3 {
        let col: Vec<f64> = (0..5).map(|i| z[(i, j)]).collect();
        let mean = col.iter().sum::<f64>() / 5.0;
        let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 5.0;
        assert!(
            mean.abs() < 1e-14 && (var - 1.0).abs() < 1e-12,
            "column {j}: {mean} {var}"
        );
    }
    s.inverse_transform(&z).assert_close(&x, 1e-14, 1e-14);
    // The same affine function in both bases: b + w·z(x) = b' + w'·x.
    let (w, b) = ([0.3, -1.2, 0.7], 0.25);
    let (w0, b0) = s.to_original(&w, b);
    for i in 0..5 {
        let in_z: f64 = b + (0..3).map(|j| w[j] * z[(i, j)]).sum::<f64>();
        let in_x: f64 = b0 + (0..3).map(|j| w0[j] * x[(i, j)]).sum::<f64>();
        assert!((in_z - in_x).abs() < 1e-12, "{in_z} vs {in_x}");
    }
    // A constant column is centered, not scaled.
    let c = Standardizer::fit(&Tensor::ones(4, 1));
    assert_eq!(c.std, [1.0]);
}

#[test]
fn csv_points_with_header_comments_and_blank_lines() {
    let text = "# noisy sine\nx,y\n\n1.0, 2.0\n 3 ,-4e-1\n";
    let (x, y) = parse_points(text, "pts.csv").unwrap();
    assert_eq!((x, y), (vec![1.0, 3.0], vec![2.0, -0.4]));
}

#[test]
fn csv_errors_name_file_line_and_problem() {
    let err = parse_points("x,y\n1,2\n3,abc\n", "pts.csv").unwrap_err();
    assert_eq!(
        err,
        DataError::at("pts.csv", 3, 2, "column \"y\": \"abc\" is not a number")
    );
    assert_eq!(
        err.to_string(),
        "pts.csv:3:2: column \"y\": \"abc\" is not a number"
    );
    let err = parse_points("1,2\n\n4,5,6\n", "f").unwrap_err();
    assert_eq!(
        err.to_string(),
        "f:3:3: expected 2 fields (as on line 1), found 3"
    );
    let err = parse_points("1,2\n2,inf\n", "f").unwrap_err();
    assert_eq!(err.to_string(), "f:2:2: \"inf\" is not finite");
    let err = parse_points("# nothing\n", "f").unwrap_err();
    assert_eq!(err.to_string(), "f: no data rows");
    // A non-numeric line after the first is an error, not a header.
    let err = parse_points("1,2\nx,y\n", "f").unwrap_err();
    assert_eq!(err.line, 2);
    // Points are two columns.
    let err = parse_points("1,2,3\n4,5,6\n", "f").unwrap_err();
    assert_eq!(
        err.to_string(),
        "f: points are 2 columns (x, y); the table has 3 columns"
    );
    assert!(parse_points("1\n2\n", "f").is_err());
    let err = read_points("/nonexistent/points.csv").unwrap_err();
    assert_eq!(err.io_kind(), Some(std::io::ErrorKind::NotFound));
    assert!(
        std::error::Error::source(&err).is_some(),
        "the I/O error is kept as the source"
    );
    assert!(
        err.to_string().starts_with("/nonexistent/points.csv: "),
        "{err}"
    );
}
