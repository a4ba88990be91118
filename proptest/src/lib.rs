//! [tapegrad](https://docs.rs/tapegrad)'s gradient checks as property tests: "this
//! function's gradient is right for all inputs" in one line. Random shapes, random values
//! drawn from a [`Domain`] (away from kinks, positive only, bounded), checked by
//! [`gradcheck`] (and optionally [`gradgradcheck`]), with proptest's shrinking reporting the
//! smallest failing input.
//!
//! An op with a matrix output `y` is checked through `L = sum(R ⊙ y)` with a random constant
//! `R` of `y`'s shape (and `+ ½ sum(y²)` in the second-order check, so that second
//! derivatives of linear ops are exercised too): every entry of the vector-Jacobian product
//! counts, not just its sum.
//!
//! ```
//! use tapegrad_proptest::{Domain, check_gradients};
//! // sqrt on positive inputs of random shapes up to 6x6: 32 cases from a fixed seed.
//! check_gradients("sqrt", &[Domain::Positive], |_, v| v[0].sqrt());
//! ```
//!
//! The strategies ([`tensor`], [`shape`], [`Domain::values`]) compose with proptest's own
//! `proptest!` blocks; the crate re-exports [`proptest`](mod@proptest) so a test needs no extra dependency.
//!
//! It is a crate of its own, not a feature of tapegrad's, so that a project's examples and
//! `cargo run` never compile proptest: add it under `[dev-dependencies]` only.

pub use proptest;

/// The repository README's code blocks run as doc tests here, so that its examples cannot
/// rot: this crate is the one that sees both tapegrad and the property tests the README shows.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use std::sync::Arc;
use tapegrad::gradcheck::{gradcheck, gradgradcheck};
use tapegrad::rng::Rng;
use tapegrad::tape::{Tape, Var};
use tapegrad::tensor::Tensor;

/// Where the random entries of an input come from.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Domain {
    /// Uniform in `[-2, 2]`: smooth ops with no restriction.
    Real,
    /// Uniform in `[0.1, 3]`: `ln`, `sqrt`, negative powers, denominators.
    Positive,
    /// `±` uniform in `[0.1, 2]`: away from the kinks at 0 (`relu`, `abs`) by more than the
    /// stencil's reach `2h ≈ 1.4e-3`.
    OffZero,
    /// Uniform in `[lo, hi]` (finite, `lo < hi`).
    Range(f64, f64),
}

impl Domain {
    /// The strategy for one entry.
    ///
    /// ```
    /// use tapegrad_proptest::Domain;
    /// use tapegrad_proptest::proptest::strategy::{Strategy, ValueTree};
    /// use tapegrad_proptest::proptest::test_runner::TestRunner;
    /// let mut runner = TestRunner::deterministic();
    /// let x = Domain::OffZero.values().new_tree(&mut runner).unwrap().current();
    /// assert!((0.1..=2.0).contains(&x.abs()));
    /// ```
    pub fn values(self) -> BoxedStrategy<f64> {
        match self {
            Domain::Real => (-2.0..=2.0f64).boxed(),
            Domain::Positive => (0.1..=3.0f64).boxed(),
            Domain::OffZero => (0.1..=2.0f64, any::<bool>())
                .prop_map(|(m, s)| if s { m } else { -m })
                .boxed(),
            Domain::Range(lo, hi) => {
                assert!(
                    lo.is_finite() && hi.is_finite() && lo < hi,
                    "Domain::Range: need finite lo < hi, got [{lo}, {hi}]"
                );
                (lo..=hi).boxed()
            }
        }
    }
}

/// A `rows x cols` tensor with entries from `domain`.
///
/// ```
/// use tapegrad_proptest::{Domain, tensor};
/// use tapegrad_proptest::proptest::strategy::{Strategy, ValueTree};
/// use tapegrad_proptest::proptest::test_runner::TestRunner;
/// let t = tensor(2, 3, Domain::Positive).new_tree(&mut TestRunner::deterministic()).unwrap().current();
/// assert_eq!(t.shape(), (2, 3));
/// assert!(t.as_slice().iter().all(|&x| x >= 0.1));
/// ```
pub fn tensor(rows: usize, cols: usize, domain: Domain) -> BoxedStrategy<Tensor> {
    prop::collection::vec(domain.values(), rows * cols)
        .prop_map(move |v| Tensor::from_vec(rows, cols, v))
        .boxed()
}

/// A shape `(rows, cols)` with `1 <= rows <= max_rows` and `1 <= cols <= max_cols`.
///
/// ```
/// use tapegrad_proptest::shape;
/// use tapegrad_proptest::proptest::strategy::{Strategy, ValueTree};
/// use tapegrad_proptest::proptest::test_runner::TestRunner;
/// let (r, c) = shape(4, 2).new_tree(&mut TestRunner::deterministic()).unwrap().current();
/// assert!((1..=4).contains(&r) && (1..=2).contains(&c));
/// ```
pub fn shape(max_rows: usize, max_cols: usize) -> impl Strategy<Value = (usize, usize)> {
    assert!(
        max_rows >= 1 && max_cols >= 1,
        "shape: need at least 1x1, got {max_rows}x{max_cols}"
    );
    (1..=max_rows, 1..=max_cols)
}

type Shapes = Arc<dyn Fn([usize; 3]) -> Vec<(usize, usize)> + Send + Sync>;

/// A gradient property: inputs from domains, shapes from three random dimensions, the number
/// of cases, first or second order. [`check_gradients`] is its one-line form.
#[derive(Clone)]
pub struct GradientProperty {
    name: String,
    domains: Vec<Domain>,
    shapes: Shapes,
    max_dim: usize,
    cases: u32,
    seed: u64,
    second_order: bool,
}

impl std::fmt::Debug for GradientProperty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GradientProperty")
            .field("name", &self.name)
            .field("domains", &self.domains)
            .field("max_dim", &self.max_dim)
            .field("cases", &self.cases)
            .field("seed", &self.seed)
            .field("second_order", &self.second_order)
            .finish_non_exhaustive()
    }
}

impl GradientProperty {
    /// A property named `name` (for the failure message) of a function of one input per
    /// domain, all of one random shape up to 6x6; 32 cases from a fixed seed.
    ///
    /// ```
    /// use tapegrad_proptest::{Domain, GradientProperty};
    /// // matmul: a is m x k, b is k x n, for random m, n, k in 1..=4; second order too.
    /// GradientProperty::new("matmul", &[Domain::Real, Domain::Real])
    ///     .shapes(|[m, n, k]| vec![(m, k), (k, n)])
    ///     .max_dim(4)
    ///     .second_order()
    ///     .check(|_, v| v[0].matmul(v[1]));
    /// ```
    pub fn new(name: &str, domains: &[Domain]) -> GradientProperty {
        assert!(!domains.is_empty(), "GradientProperty {name:?}: no inputs");
        let inputs = domains.len();
        GradientProperty {
            name: name.to_string(),
            domains: domains.to_vec(),
            // Every input of one random shape m x n.
            shapes: Arc::new(move |[m, n, _]| vec![(m, n); inputs]),
            max_dim: 6,
            cases: 32,
            seed: 0x7a9e_97ad,
            second_order: false,
        }
    }

    /// The inputs' shapes from three random dimensions `[m, n, k]` (each in `1..=max_dim`):
    /// one shape per input. Broadcasting (`(1, n)`), matmul (`(m, k), (k, n)`) and fixed shapes
    /// are all of this form.
    pub fn shapes(
        mut self,
        shapes: impl Fn([usize; 3]) -> Vec<(usize, usize)> + Send + Sync + 'static,
    ) -> GradientProperty {
        self.shapes = Arc::new(shapes);
        self
    }

    /// The largest random dimension (default 6).
    pub fn max_dim(mut self, max_dim: usize) -> GradientProperty {
        assert!(max_dim >= 1, "GradientProperty::max_dim: need at least 1");
        self.max_dim = max_dim;
        self
    }

    /// How many random cases (default 32).
    pub fn cases(mut self, cases: u32) -> GradientProperty {
        self.cases = cases;
        self
    }

    /// The seed of the cases (default fixed, so every run checks the same inputs).
    pub fn seed(mut self, seed: u64) -> GradientProperty {
        self.seed = seed;
        self
    }

    /// Also check second derivatives (`gradgradcheck`: reverse over reverse against
    /// differences of the gradient, along random directions).
    pub fn second_order(mut self) -> GradientProperty {
        self.second_order = true;
        self
    }

    /// The random inputs (one tensor per domain) and the seed of the weights `R`.
    fn strategy(&self) -> impl Strategy<Value = (Vec<Tensor>, u64)> + use<> {
        let (shapes, domains, name) =
            (self.shapes.clone(), self.domains.clone(), self.name.clone());
        let d = 1..=self.max_dim;
        ([d.clone(), d.clone(), d], any::<u64>()).prop_flat_map(move |(dims, seed)| {
            let sh = shapes(dims);
            assert!(
                sh.len() == domains.len(),
                "GradientProperty {name:?}: {} shapes for {} inputs",
                sh.len(),
                domains.len()
            );
            let inputs: Vec<_> = sh
                .iter()
                .zip(&domains)
                .map(|(&(r, c), &dom)| tensor(r, c, dom))
                .collect();
            (inputs, Just(seed))
        })
    }

    /// Runs the cases; panics with the report and the smallest failing input (after proptest
    /// shrinks it) if the gradient is wrong on any.
    pub fn check<F>(&self, f: F)
    where
        F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
    {
        let config = Config {
            cases: self.cases,
            rng_seed: RngSeed::Fixed(self.seed),
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        let result = runner.run(&self.strategy(), |(inputs, seed)| {
            match self.check_one(&f, &inputs, seed) {
                Ok(()) => Ok(()),
                Err(report) => Err(TestCaseError::fail(report)),
            }
        });
        match result {
            Ok(()) => {}
            Err(TestError::Fail(reason, (inputs, seed))) => {
                let mut msg = format!(
                    "gradient property {:?} fails; smallest failing input (weights seed {seed}):\n",
                    self.name
                );
                for (i, x) in inputs.iter().enumerate() {
                    msg += &format!("  input {i}: {x:.17}\n");
                }
                panic!("{msg}{reason}");
            }
            Err(TestError::Abort(why)) => {
                panic!("gradient property {:?}: aborted: {why}", self.name)
            }
        }
    }

    /// One case: `Err(report)` if the first (or second) order check fails.
    fn check_one<F>(&self, f: &F, inputs: &[Tensor], seed: u64) -> Result<(), String>
    where
        F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
    {
        let out = {
            let tape = Tape::new();
            let vars: Vec<Var<'_>> = inputs.iter().map(|x| tape.leaf(x)).collect();
            f(&tape, &vars).shape()
        };
        let mut rng = Rng::new(seed);
        let r = Tensor::rand_normal(out.0, out.1, 0.0, 1.0, &mut rng);
        let report = gradcheck(|tape, v| (f(tape, v) * tape.constant(&r)).sum(), inputs);
        if !report.passed() {
            return Err(format!("{report}"));
        }
        if self.second_order {
            let dirs: Vec<Tensor> = inputs
                .iter()
                .map(|x| Tensor::rand_normal(x.rows(), x.cols(), 0.0, 1.0, &mut rng))
                .collect();
            let report = gradgradcheck(
                |tape, v| {
                    let y = f(tape, v);
                    (y * tape.constant(&r)).sum() + y.square().sum() * 0.5
                },
                inputs,
                &dirs,
            );
            if !report.passed() {
                return Err(format!("{report}"));
            }
        }
        Ok(())
    }
}

/// "The gradient of `f` is right for all inputs from `domains`" in one line: one input per
/// domain, all of one random shape up to 6x6, 32 seeded cases, first order. See
/// [`GradientProperty`] for other shapes, more cases and second order.
///
/// ```
/// use tapegrad_proptest::{Domain, check_gradients};
/// check_gradients("abs", &[Domain::OffZero], |_, v| v[0].abs());
/// check_gradients("mul then ln", &[Domain::Real, Domain::Positive], |_, v| (v[0] * v[1].ln()));
/// ```
pub fn check_gradients<F>(name: &str, domains: &[Domain], f: F)
where
    F: for<'t> Fn(&'t Tape, &[Var<'t>]) -> Var<'t>,
{
    GradientProperty::new(name, domains).check(f)
}
