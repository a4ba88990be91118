//! Matrix multiplication kernels, all row-major and accumulating into `C`:
//! - [`gemm`]: `C <- C + A B` for `A (m x k)`, `B (k x n)`, `C (m x n)`;
//! - [`gemm_nt`]: `C <- C + A B^T` for `A (m x k)`, `B (n x k)` (the rule `dA = dY B^T`, and a
//!   linear layer's `x W^T`);
//! - [`gemm_tn`]: `C <- C + A^T B` for `A (k x m)`, `B (k x n)` (the rule `dB = A^T dY`).
//!
//! The transposed variants read their operands in place, so the backward pass of a matmul
//! never copies a transpose.
//!
//! # Loops
//! `gemm` is blocked over `p` and `j` so that a panel of `B` stays in cache while every row of
//! `A` uses it. Inside a block, `C` is computed in register tiles of 4 rows x 8 columns
//! (`acc_rl += a_rp b_pl`, summed over `p`, then added to `C`), so each value loaded is used
//! several times; the ragged edges stream a row of `B` into a row of `C`. A matrix-vector
//! product (`n = 1`) is a dot product per row.
//! `gemm_nt` is a dot product of two contiguous rows per entry for a few rows of `A`, and for
//! more it transposes `B` once and runs the `gemm` loops; `gemm_tn` adds `a_pi` times row `p`
//! of `B` to row `i` of `C`. Narrow products (at most 16 columns: a tape's small layers, the
//! Gram matrix of a few features) take one loop in all three forms: `B` copied 16 rows at a
//! time into a zero-padded block 8, 12 or 16 wide, a row of `C` accumulated in registers.
//!
//! # Larger products: packed panels and an AVX-512 micro-kernel
//! From a few tiles' worth of work on, on CPUs with AVX-512F, the products run through a
//! BLIS-style driver (`packed.rs`): `A` and `B` are copied block by block into contiguous
//! micro-panels sized for the L1 and L2 caches, transposed operands are read in place while
//! packing, and an 8 x 24 micro-kernel keeps its tile of `C` in 24 zmm registers
//! (`avx512.rs`). Up to 2^18 multiply-adds (at most 256 deep: a tape's 20 x 64 layers), the
//! copies cost more than they save, and the same tiles read `A` in place, and `B` too unless
//! it is transposed (`direct.rs`). [`MatmulKernel`] names each path and says which one a shape
//! gets. From 128³
//! multiply-adds on, the rows of `C` are split in bands over the machine's cores
//! (`parallel.rs`; [`set_threads`] caps them), with results bit-identical to one thread's.
//!
//! # Three compilations
//! The loops above are written once, generic over whether they fuse `c + a b` into one
//! rounding (`mul_add`). The portable path (`MatmulKernel::Portable`, plain `c + a b`) is what every target
//! runs and what the tests compare against. On x86_64 CPUs with AVX2 and FMA, detected at run
//! time, the same loops are compiled with those features enabled and fused multiply-adds,
//! which the compiler vectorizes four lanes wide. The only `unsafe` in the crate is in these
//! SIMD modules (and in the elementwise loops' one call into AVX2, `src/wide.rs`): the calls
//! into functions compiled for a feature, after the detection that makes them sound, and the
//! AVX-512 loads, stores and shuffles.
//!
//! The kernels live in `src/matmul/` (below [`Tensor`](crate::Tensor), whose products run
//! on them); this module is their public face.

pub use crate::matmul::{MatmulKernel, gemm, gemm_naive, gemm_nt, gemm_tn, set_threads, threads};
pub(crate) use crate::matmul::{View, dot, gemm_views};
