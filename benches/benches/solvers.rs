//! Matmul throughput (peer workload W5: square f64 matmul), the 600 x 600 kernel least
//! squares by QR and by L-BFGS (W4), and L-BFGS on the 5-D Rosenbrock function (W6), with the
//! peers' settings. Compare with `benches/peer_results/`.
//!
//! Run: `cargo bench --bench solvers`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use tapegrad::Rng;
use tapegrad::Tensor;
use tapegrad::linalg::matmul::MatmulKernel;
use tapegrad::nn::least_squares;
use tapegrad::optim::{Lbfgs, StrongWolfe};

#[path = "../../testsuite/tests/common/peer.rs"]
mod peer;
#[path = "../../testsuite/tests/common/rosenbrock.rs"]
mod rosenbrock;
use rosenbrock::rosenbrock;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("matmul");
    group.sample_size(10);
    for n in [64, 128, 256, 512, 1024] {
        let mut rng = Rng::new(0);
        let a = Tensor::rand_normal(n, n, 0.0, 1.0, &mut rng);
        let b = Tensor::rand_normal(n, n, 0.0, 1.0, &mut rng);
        group.throughput(Throughput::Elements(2 * (n as u64).pow(3))); // flops
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |bench, _| {
            bench.iter(|| black_box(&a).matmul(black_box(&b)))
        });
    }
    group.finish();

    // The small products the tape meets (W1's 7x10 layers, W3's 20x64, a batch of 32 by 10),
    // `A B`, with each kernel this CPU supports: which one `gemm` picks is in BENCHMARKS.md.
    let mut group = c.benchmark_group("matmul_small");
    for (m, k, n) in [(7, 10, 10), (20, 64, 64), (32, 10, 10), (64, 20, 64)] {
        let mut rng = Rng::new(1);
        let a = Tensor::rand_normal(m, k, 0.0, 1.0, &mut rng);
        let b = Tensor::rand_normal(k, n, 0.0, 1.0, &mut rng);
        let mut out = vec![0.0; m * n];
        group.throughput(Throughput::Elements(2 * (m * k * n) as u64));
        for kernel in MatmulKernel::ALL.into_iter().filter(|k| k.is_supported()) {
            let id = BenchmarkId::new(kernel.name(), format!("{m}x{k}x{n}"));
            group.bench_with_input(id, &kernel, |bench, kernel| {
                bench.iter(|| kernel.gemm(m, k, n, black_box(a.as_slice()), b.as_slice(), &mut out))
            });
        }
    }
    group.finish();

    // W4: the 600 x 600 kernel least squares, by QR and by 500 L-BFGS iterations (strong
    // Wolfe, history 10, tolerance_grad 1e-12, tolerance_change 1e-16: the peer's settings),
    // with X and y shared with each tape (no copy per evaluation).
    let (x, y, _) = peer::w4_problem();
    let mut group = c.benchmark_group("w4");
    group.sample_size(10);
    group.bench_function("qr_lstsq_600", |b| {
        b.iter(|| tapegrad::linalg::lstsq(black_box(&x), &y))
    });
    group.bench_function("qr_factor_600", |b| {
        b.iter(|| tapegrad::linalg::Qr::new(black_box(&x)))
    });
    let f = least_squares(x.clone(), y.clone());
    group.bench_function("lbfgs_500_iterations", |b| {
        b.iter(|| {
            let mut w = vec![0.0; 600];
            let mut opt = Lbfgs::new()
                .line_search(StrongWolfe::default())
                .history_size(10)
                .max_iter(500)
                .tolerance_grad(1e-12)
                .tolerance_change(1e-16);
            opt.minimize(&mut w, &f)
        })
    });
    group.finish();

    // W6: history 10, max_iter 200, tolerance_grad 1e-10, tolerance_change 1e-9 (default).
    c.bench_function("lbfgs/w6_rosenbrock", |b| {
        b.iter(|| {
            let mut x = vec![1.3, 0.7, 0.8, 1.9, 1.2];
            let mut opt = Lbfgs::new()
                .line_search(StrongWolfe::default())
                .history_size(10)
                .max_iter(200)
                .tolerance_grad(1e-10);
            opt.minimize(&mut x, rosenbrock)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
