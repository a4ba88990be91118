//! Building tensors: from data, filled, the identity, from a function of the indices.

use super::{Tensor, buffer, checked_len, pool, with_room};

impl Tensor {
    /// A `rows x cols` tensor from row-major `data`.
    ///
    /// # Panics
    /// If `data.len() != rows * cols`, naming the expected and actual lengths.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let t = Tensor::from_vec(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    /// assert_eq!(t[(1, 0)], 4.0);                 // row-major: entry (i, j) is data[i * cols + j]
    /// assert_eq!(t.shape(), (2, 3));
    /// ```
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f64>) -> Tensor {
        let n = checked_len("Tensor::from_vec", rows, cols);
        assert!(
            data.len() == n,
            "Tensor::from_vec: shape [{rows}x{cols}] needs {n} values, got {}",
            data.len()
        );
        Tensor { rows, cols, data }
    }

    /// A `rows x cols` tensor holding a copy of row-major `values`.
    ///
    /// # Panics
    /// If `values.len() != rows * cols`, naming the expected and actual lengths.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let flat = [1.0, 2.0, 3.0, 4.0];
    /// assert_eq!(Tensor::from_slice(2, 2, &flat), Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]));
    /// ```
    pub fn from_slice(rows: usize, cols: usize, values: &[f64]) -> Tensor {
        let mut data = buffer(values.len());
        data.extend_from_slice(values);
        Tensor::from_vec(rows, cols, data)
    }

    /// A tensor from a slice of equally long rows: `Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]])`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
    /// assert_eq!(a.shape(), (3, 2));
    /// assert_eq!(a[(2, 1)], 6.0);
    /// ```
    pub fn from_rows<const N: usize>(rows: &[[f64; N]]) -> Tensor {
        let data = rows.iter().flat_map(|r| r.iter().copied()).collect();
        Tensor::from_vec(rows.len(), N, data)
    }

    /// A column vector `n x 1` from a slice.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let y = Tensor::column(&[1.0, 2.0, 3.0]);
    /// assert_eq!(y.shape(), (3, 1));
    /// ```
    pub fn column(values: &[f64]) -> Tensor {
        Tensor::from_slice(values.len(), 1, values)
    }

    /// A row vector `1 x n` from a slice.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let b = Tensor::row(&[0.5, -0.5]);
    /// assert_eq!(b.shape(), (1, 2));
    /// ```
    pub fn row(values: &[f64]) -> Tensor {
        Tensor::from_slice(1, values.len(), values)
    }

    /// A `1x1` tensor holding `x`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let s = Tensor::scalar(2.5);
    /// assert_eq!((s.shape(), s.item()), ((1, 1), 2.5));
    /// ```
    pub fn scalar(x: f64) -> Tensor {
        let mut data = pool::take(1);
        data.push(x);
        Tensor::from_vec(1, 1, data)
    }

    /// A `rows x cols` tensor with every entry equal to `value`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::full(2, 2, 7.0).sum(), 28.0);
    /// ```
    pub fn full(rows: usize, cols: usize, value: f64) -> Tensor {
        Tensor::filled("Tensor::full", rows, cols, value)
    }

    fn filled(op: &str, rows: usize, cols: usize, value: f64) -> Tensor {
        let mut data = with_room(op, rows, cols);
        data.resize(rows * cols, value);
        Tensor { rows, cols, data }
    }

    /// A `rows x cols` tensor of zeros.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let z = Tensor::zeros(2, 3);
    /// assert!(z.as_slice().iter().all(|&x| x == 0.0));
    /// ```
    pub fn zeros(rows: usize, cols: usize) -> Tensor {
        Tensor::filled("Tensor::zeros", rows, cols, 0.0)
    }

    /// A `rows x cols` tensor of ones.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// assert_eq!(Tensor::ones(3, 1), Tensor::column(&[1.0, 1.0, 1.0]));
    /// ```
    pub fn ones(rows: usize, cols: usize) -> Tensor {
        Tensor::filled("Tensor::ones", rows, cols, 1.0)
    }

    /// The `n x n` identity matrix.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// let a = Tensor::from_rows(&[[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(Tensor::eye(2).matmul(&a), a);   // I A = A
    /// ```
    pub fn eye(n: usize) -> Tensor {
        let mut eye = Tensor::filled("Tensor::eye", n, n, 0.0);
        for i in 0..n {
            eye.data[i * n + i] = 1.0;
        }
        eye
    }

    /// A `rows x cols` tensor with entry `(i, j) = f(i, j)`.
    ///
    /// ```
    /// use tapegrad::Tensor;
    /// // The Vandermonde matrix [1, x, x^2] at x = 0, 1, 2.
    /// let v = Tensor::from_fn(3, 3, |i, j| (i as f64).powi(j as i32));
    /// assert_eq!(v.row_slice(2), &[1.0, 2.0, 4.0]);
    /// ```
    pub fn from_fn(rows: usize, cols: usize, mut f: impl FnMut(usize, usize) -> f64) -> Tensor {
        let mut data = with_room("Tensor::from_fn", rows, cols);
        for i in 0..rows {
            for j in 0..cols {
                data.push(f(i, j));
            }
        }
        Tensor { rows, cols, data }
    }
}
