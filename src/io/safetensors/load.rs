//! Loading a file's tensors into [`Params`]: fresh, in file order, or into existing views
//! matched by name.

use super::{Stored, parse, read};
use crate::io::DataError;
use crate::io::clip;
use crate::params::Params;
use std::path::Path;

/// A fresh [`Params`] from the file at `path`, in file order (`[n]` becomes `1 x n`), and the
/// file's metadata.
///
/// # Errors
/// As [`read`].
pub fn load(path: impl AsRef<Path>) -> Result<(Params, Vec<(String, String)>), DataError> {
    let st = read(path)?;
    let mut params = Params::new();
    for t in &st.tensors {
        // The names are unique (parse checked them with a hash set): no scan per tensor.
        params.add_unique(&t.name, &t.value);
    }
    Ok((params, st.metadata))
}

/// Loads the file at `path` into `params`, matching every view by name; returns the
/// metadata. `params` is changed only if every name and shape matches.
///
/// # Errors
/// As [`read`]; or one error listing the names that are missing from the file, extra in it,
/// or stored with a shape that does not fit its view (the first ten, and how many more).
///
/// ```
/// use tapegrad::{Rng, Tensor, io::safetensors, nn::{Activation, Init, Params, mlp}};
/// let mut trained = Params::new();
/// let _ = mlp(&[1, 4, 1], Activation::Tanh).build(&mut trained, &mut Rng::new(1));
/// let bytes = safetensors::to_bytes(&trained, &[]);
/// let mut fresh = Params::new();
/// let _ = mlp(&[1, 4, 1], Activation::Tanh).build(&mut fresh, &mut Rng::new(2));
/// safetensors::load_bytes_into(&mut fresh, &bytes, "m.safetensors").unwrap();
/// assert_eq!(fresh, trained);
/// let mut other = Params::new();
/// let _ = mlp(&[1, 5, 1], Activation::Tanh).build(&mut other, &mut Rng::new(2));
/// let err = safetensors::load_bytes_into(&mut other, &bytes, "m.safetensors").unwrap_err();
/// assert!(err.to_string().contains("0.weight: stored [4, 1], the view is [5x1]"), "{err}");
/// ```
pub fn load_into(
    params: &mut Params,
    path: impl AsRef<Path>,
) -> Result<Vec<(String, String)>, DataError> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| DataError::io(name.clone(), e))?;
    load_bytes_into(params, &bytes, &name)
}

/// [`load_into`] from bytes in memory; `file` names them in errors.
///
/// # Errors
/// As [`load_into`].
pub fn load_bytes_into(
    params: &mut Params,
    bytes: &[u8],
    file: &str,
) -> Result<Vec<(String, String)>, DataError> {
    let st = parse(bytes, file)?;
    let mut problems = Vec::new();
    let mut values = Vec::new();
    let by_name: std::collections::HashMap<&str, &Stored> =
        st.tensors.iter().map(|t| (t.name.as_str(), t)).collect();
    let views: std::collections::HashSet<&str> =
        params.views().iter().map(|v| v.name.as_str()).collect();
    for view in params.views() {
        match by_name.get(view.name.as_str()) {
            None => problems.push(format!("{}: missing from the file", clip(&view.name))),
            Some(t) => {
                let fits = match t.shape[..] {
                    [] => (view.rows, view.cols) == (1, 1),
                    [n] => (view.rows == 1 || view.cols == 1) && view.len() == n,
                    _ => t.value.shape() == (view.rows, view.cols),
                };
                if fits {
                    values.push(t.value.as_slice().to_vec());
                } else {
                    problems.push(format!(
                        "{}: stored {:?}, the view is [{}x{}]",
                        clip(&view.name),
                        t.shape,
                        view.rows,
                        view.cols
                    ));
                }
            }
        }
    }
    for t in &st.tensors {
        if !views.contains(t.name.as_str()) {
            problems.push(format!(
                "{}: in the file but not in the parameters",
                clip(&t.name)
            ));
        }
    }
    if !problems.is_empty() {
        // The first ten problems (a file of 80 000 strange names is not one message of them all).
        let n = problems.len();
        let mut shown: Vec<String> = problems.into_iter().take(10).collect();
        if n > 10 {
            shown.push(format!("and {} more", n - 10));
        }
        return Err(DataError::new(
            file,
            0,
            format!("does not match the parameters: {}", shown.join("; ")),
        ));
    }
    let flat: Vec<f64> = values.concat();
    params.set_flat(&flat);
    Ok(st.metadata)
}
