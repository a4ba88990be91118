//! The crate's own linear algebra: no linear-algebra dependency.
//!
//! - [`matmul`]: `C <- C + A B` kernels (blocked portable, with a naive oracle for tests).

pub mod matmul;
