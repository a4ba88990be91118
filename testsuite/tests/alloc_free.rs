//! The training step's allocations: with one tape cleared at each step ([`Tape::clear`]), the
//! gradient written into a kept buffer ([`Tape::backward_into`]) and the tensor buffer pool, a
//! step of peer workload W1 (1-10-10-1 ReLU MLP, 7 points, SGD) calls the allocator once after
//! the first step (the reverse sweep's list of adjoints: the tape keeps no store for it, which
//! bought under 2% of a step); a replayed step calls it zero times. A counting global
//! allocator counts the calls made by this thread.

mod common;

use common::w1;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::rc::Rc;
use tapegrad::nn::{Module, Params, Reduction, Sequential, mse};
use tapegrad::optim::{Adam, Optimizer, Sgd};
use tapegrad::replay::Replay;
use tapegrad::{Rng, Tape, Tensor};

struct Counting;

thread_local! {
    /// Allocations (and reallocations) made by this thread.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the thread's storage may already be gone while it shuts down.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counter is a
// thread-local `Cell` of a `Copy` type, which needs no allocation and no destructor.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as the caller's contract for `GlobalAlloc::alloc`.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as the caller's contract for `GlobalAlloc::dealloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as the caller's contract for `GlobalAlloc::alloc_zeroed`.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: as the caller's contract for `GlobalAlloc::realloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

/// One step as a user writes it for speed: clear, record, backward into `grad`, update.
fn step(
    tape: &mut Tape,
    (params, model): (&mut Params, &Sequential),
    (x, y): (&Rc<Tensor>, &Rc<Tensor>),
    reduction: Reduction,
    grad: &mut [f64],
    opt: &mut dyn Optimizer,
) -> f64 {
    tape.clear();
    let theta = tape.params(params);
    let loss = mse(
        model.forward(&theta, tape.constant(x)),
        tape.constant(y),
        reduction,
    );
    tape.backward_into(loss, &theta, grad);
    let value = loss.item();
    opt.step(params.as_mut_slice(), grad)
        .expect("the workload does not diverge");
    value
}

/// Allocator calls in steps 2..=`steps` (counted from the end of the first), and the final loss.
fn allocations_after_the_first_step(
    sizes: &[usize],
    (x, y): (Tensor, Tensor),
    reduction: Reduction,
    opt: &mut dyn Optimizer,
    steps: usize,
) -> (usize, f64) {
    let (mut params, model) = w1::relu_mlp(sizes);
    let (x, y) = (Rc::new(x), Rc::new(y));
    let mut tape = Tape::new();
    let mut grad = vec![0.0; params.len()];
    let (mut before, mut loss) = (0, f64::NAN);
    for s in 0..steps {
        if s == 1 {
            before = allocations();
        }
        let net = (&mut params, &model);
        loss = step(&mut tape, net, (&x, &y), reduction, &mut grad, opt);
    }
    (allocations() - before, loss)
}

#[test]
fn a_w1_step_allocates_once_after_the_first() {
    let (n, loss) = allocations_after_the_first_step(
        &[1, 10, 10, 1],
        w1::data(),
        Reduction::Mean,
        &mut Sgd::new(0.05),
        200,
    );
    assert_eq!(
        n, 199,
        "W1: {n} allocations in 199 steps (one each: the adjoint list)"
    );
    assert!(
        loss.is_finite() && loss < 0.2,
        "the run trains: loss {loss}"
    );
}

/// The same with Adam (its moment buffers are made at the first step) and a wider MLP whose
/// products take the packed matmul path (its panels are kept per thread).
#[test]
fn an_adam_step_of_a_wider_mlp_allocates_once_after_the_first() {
    let mut rng = Rng::new(1);
    let x = Tensor::rand_normal(20, 15, 0.0, 1.0, &mut rng);
    let y = Tensor::rand_normal(20, 1, 0.0, 1.0, &mut rng);
    let (n, loss) = allocations_after_the_first_step(
        &[15, 64, 64, 1],
        (x, y),
        Reduction::Sum,
        &mut Adam::new(1e-3),
        50,
    );
    assert_eq!(
        n, 49,
        "W3 with Adam: {n} allocations in 49 steps (one each: the adjoint list)"
    );
    assert!(loss.is_finite());
}

/// The plain form (a new tape per step, `backward(..).flat(..)`) keeps working and gives the
/// same numbers.
#[test]
fn the_plain_form_gives_the_same_gradient() {
    let (mut params, model) = w1::model();
    let (x, y) = w1::data();
    let mut tape = Tape::new();
    let mut grad = vec![0.0; params.len()];
    for _ in 0..3 {
        tape.clear();
        let theta = tape.params(&params);
        let loss = mse(
            model.forward(&theta, tape.constant(&x)),
            tape.constant(&y),
            Reduction::Mean,
        );
        tape.backward_into(loss, &theta, &mut grad);
        let fresh = Tape::new();
        let theta2 = fresh.params(&params);
        let loss2 = mse(
            model.forward(&theta2, fresh.constant(&x)),
            fresh.constant(&y),
            Reduction::Mean,
        );
        assert_eq!(grad, fresh.backward(loss2).flat(&theta2));
        Sgd::new(0.05).step(params.as_mut_slice(), &grad).unwrap();
    }
}

/// A replayed step ([`Replay::run`], recorded once) allocates nothing from its second run on,
/// W1 and W3 (whose products take the packed path), with SGD.
#[test]
fn a_replayed_step_allocates_nothing_after_the_first() {
    let mut rng = Rng::new(1);
    let w3 = (
        Tensor::rand_normal(20, 15, 0.0, 1.0, &mut rng),
        Tensor::rand_normal(20, 1, 0.0, 1.0, &mut rng),
    );
    for (sizes, (x, y)) in [
        (&[1, 10, 10, 1][..], w1::data()),
        (&[15, 64, 64, 1][..], w3),
    ] {
        let (mut params, model) = w1::relu_mlp(sizes);
        let tape = Tape::new();
        let theta = tape.params(&params);
        let loss = mse(
            model.forward(&theta, tape.constant(&x)),
            tape.constant(&y),
            Reduction::Mean,
        );
        let mut replay = Replay::new(&tape, loss, &theta);
        let (mut grad, mut opt) = (vec![0.0; params.len()], Sgd::new(0.01));
        let first = replay.run(params.as_slice(), &mut grad);
        let before = allocations();
        let mut last = first;
        for _ in 0..100 {
            opt.step(params.as_mut_slice(), &grad).unwrap();
            last = replay.run(params.as_slice(), &mut grad);
        }
        let n = allocations() - before;
        assert_eq!(n, 0, "{sizes:?}: {n} allocations in 100 replayed steps");
        assert!(
            last < first,
            "{sizes:?}: the run trains ({first} -> {last})"
        );
    }
}
