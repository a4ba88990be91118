//! sin_poly_fit's command line and its points: the flags, their checks (a size the machine
//! cannot hold is refused up front), sin(x) with seeded noise or the user's CSV.

use super::*;

/// Command-line settings.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) degree: usize,
    pub(crate) n: usize,
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    pub(crate) noise: f64,
    pub(crate) seed: u64,
    pub(crate) data: Option<PathBuf>,
    pub(crate) steps: usize,
    /// Your own run (seed 000's PyTorch program): SGD at this step size, if given.
    pub(crate) lr: Option<f64>,
    pub(crate) momentum: f64,
    pub(crate) reduction: Reduction,
    pub(crate) random_init: bool,
}

const ABOUT: &str = "Fit a polynomial to noisy samples of sin(x) (or your own x,y points) and see why \
plain gradient descent crawls on raw polynomial features, how far standardized features help it, \
and how the closed form (QR) and L-BFGS get there: the smoothness constant beta, the stable step \
sizes, the Hessian's conditioning, and each optimizer's distance to the least-squares solution. \
Seed 000's question (degree 2, 3 points, noise 0.2, MSE sum, SGD 0.01 with momentum 0.9 from \
PyTorch's init, 1000 steps) is the last example below.";

pub(crate) fn parse_args() -> (Config, Args) {
    let args = Cli::new("sin_poly_fit", ABOUT)
        .flag("degree", "D", 3, "polynomial degree (>= 1)")
        .flag("n", "N", 20, "number of sample points (>= 2)")
        .flag("interval", "LO,HI", "2,5", "x range of the samples")
        .flag("noise", "S", 0.1, "standard deviation of the Gaussian noise on sin(x)")
        .flag("seed", "K", 0, "seed of the noise")
        .flag("steps", "K", 2000, "steps of each first-order optimizer")
        .optional("data", "FILE.csv", "fit your own points: one x,y pair per line")
        .optional("lr", "LR", "also run SGD at this step size on raw features (your own run)")
        .flag("momentum", "MU", 0.0, "momentum of your run (0.9 in seed 000's program)")
        .flag("reduction", "NAME", "mean", "mean or sum: the loss of your run")
        .flag("init", "NAME", "zeros", "zeros, or random (PyTorch's Linear init, seeded) for your run")
        .optional(
            "save",
            "FILE.safetensors",
            "save the closed-form fit (0.weight: w_1..w_d, 0.bias: b) for PyTorch or a later run",
        )
        .example("cargo run --example sin_poly_fit")
        .example("cargo run --example sin_poly_fit -- --degree 5 --n 40 --interval -3,3 --noise 0.05 --seed 7")
        .example("cargo run --example sin_poly_fit -- --data points.csv --json")
        .example("cargo run --example sin_poly_fit -- --degree 2 --n 3 --noise 0.2 --reduction sum --lr 0.01 --momentum 0.9 --init random --steps 1000   # seed 000's question")
        .parse();
    let interval: String = args.get("interval");
    let (lo, hi) = interval
        .split_once(',')
        .and_then(|(lo, hi)| {
            Some((
                lo.trim().parse::<f64>().ok()?,
                hi.trim().parse::<f64>().ok()?,
            ))
        })
        .filter(|(lo, hi)| lo.is_finite() && hi.is_finite() && lo < hi)
        .unwrap_or_else(|| {
            args.fail(&format!(
                "--interval: {interval:?} is not LO,HI with LO < HI"
            ))
        });
    let c = Config {
        degree: args.get("degree"),
        n: args.get("n"),
        lo,
        hi,
        noise: args.get("noise"),
        seed: args.get("seed"),
        data: args.opt("data"),
        steps: args.get("steps"),
        lr: args.opt("lr"),
        momentum: args.get("momentum"),
        reduction: match args.get::<String>("reduction").as_str() {
            "mean" => Reduction::Mean,
            "sum" => Reduction::Sum,
            other => args.fail(&format!("--reduction: {other:?} is not mean or sum")),
        },
        random_init: match args.get::<String>("init").as_str() {
            "zeros" => false,
            "random" => true,
            other => args.fail(&format!("--init: {other:?} is not zeros or random")),
        },
    };
    if c.lr.is_some_and(|lr| lr <= 0.0) || c.momentum < 0.0 || c.momentum >= 1.0 {
        args.fail("--lr must be > 0 and --momentum in [0, 1)");
    }
    if c.degree == 0 {
        args.fail("--degree: need a degree >= 1, got 0");
    }
    // Monomials past degree ~30 are numerically dependent in f64 on any interval (the
    // Vandermonde matrix's condition number grows like e^(3.5 D)); 100 leaves room to see it.
    if c.degree > 100 {
        args.fail(&format!("--degree: need a degree <= 100, got {}", c.degree));
    }
    if c.n < 2 {
        args.fail(&format!("--n: need at least 2 points, got {}", c.n));
    }
    // Peak memory is about BYTES_PER_POINT per point (measured: 277 MB at --n 1000000).
    let need = (c.n as f64) * BYTES_PER_POINT;
    if let Some(available) = available_memory() {
        if need > available {
            args.fail(&format!(
                "--n: {} points need about {:.1} GB of memory; this machine has {:.1} GB available",
                c.n,
                need / 1e9,
                available / 1e9
            ));
        }
    }
    if c.noise < 0.0 {
        args.fail(&format!(
            "--noise: need a standard deviation >= 0, got {}",
            c.noise
        ));
    }
    (c, args)
}

/// The points to fit, and whether they are samples of sin.
pub(crate) struct Points {
    pub(crate) x: Vec<f64>,
    pub(crate) y: Vec<f64>,
    pub(crate) from_sin: bool,
}

/// sin(x) at N evenly spaced points with seeded Gaussian noise, or the user's CSV.
pub(crate) fn load_points(c: &Config) -> Result<Points, DataError> {
    if let Some(path) = &c.data {
        let (x, y) = read_points(path)?;
        return Ok(Points {
            x,
            y,
            from_sin: false,
        });
    }
    let mut rng = Rng::new(c.seed);
    let x: Vec<f64> = (0..c.n)
        .map(|i| c.lo + (c.hi - c.lo) * i as f64 / (c.n - 1) as f64)
        .collect();
    let noise = Tensor::rand_normal(c.n, 1, 0.0, c.noise.max(f64::MIN_POSITIVE), &mut rng);
    let y = x
        .iter()
        .zip(noise.as_slice())
        .map(|(xi, e)| xi.sin() + if c.noise > 0.0 { *e } else { 0.0 })
        .collect();
    Ok(Points {
        x,
        y,
        from_sin: true,
    })
}

/// Peak memory per sample point (features in both bases, their copies with a ones column, the
/// equivalent rows' centered copy), rounded up from 277 MB measured at `--n 1000000`.
pub(crate) const BYTES_PER_POINT: f64 = 300.0;

/// The memory the system says is available (Linux's `MemAvailable`), if it says.
pub(crate) fn available_memory() -> Option<f64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024.0)
}
