//! Seeing the tape: the table, the DOT text, the step-through backward, anomaly detection.

use tapegrad::anomaly::{Anomaly, InputSummary, Phase};
use tapegrad::{AnomalyMode, Tape, Tensor, set_anomaly_detection};

/// `loss = (x w − 3)²` with `x = [1, 2]` (constant) and `w = [0.5, −0.25]ᵀ` (leaf).
fn small(tape: &Tape) -> (tapegrad::Var<'_>, tapegrad::Var<'_>) {
    let x = tape.constant(Tensor::row(&[1.0, 2.0])).named("x");
    let w = tape.leaf(Tensor::column(&[0.5, -0.25])).named("w");
    let loss = (x.matmul(w) - 3.0).square().named("loss");
    (w, loss)
}

#[test]
fn table_snapshot() {
    let tape = Tape::new();
    let (_, loss) = small(&tape);
    assert_eq!(
        tape.to_string(),
        "\
node  name  op              inputs  shape  value
   0  x     constant        -       [1x2]  [1.0000, 2.0000]
   1  w     leaf            -       [2x1]  [0.5000, -0.2500]
   2        matmul          0, 1    [1x1]  0.0000
   3        add_scalar(-3)  2       [1x1]  -3.0000
   4  loss  powi(2)         3       [1x1]  9.0000"
    );
    let grads = tape.backward(loss);
    assert_eq!(
        tape.table(Some(&grads)).to_string(),
        "\
node  name  op              inputs  shape  value              grad
   0  x     constant        -       [1x2]  [1.0000, 2.0000]   -
   1  w     leaf            -       [2x1]  [0.5000, -0.2500]  [-6.0000, -12.0000]
   2        matmul          0, 1    [1x1]  0.0000             -6.0000
   3        add_scalar(-3)  2       [1x1]  -3.0000            -6.0000
   4  loss  powi(2)         3       [1x1]  9.0000             1.0000"
    );
}

#[test]
fn dot_snapshot() {
    let tape = Tape::new();
    let (_, loss) = small(&tape);
    assert_eq!(
        tape.to_dot(None),
        r#"digraph tape {
  rankdir=LR;
  node [shape=box, fontname="monospace"];
  n0 [label="0 x: constant\n[1x2]\nvalue [1.0000, 2.0000]", style=dashed];
  n1 [label="1 w: leaf\n[2x1]\nvalue [0.5000, -0.2500]", style=bold];
  n2 [label="2: matmul\n[1x1]\nvalue 0.0000"];
  n3 [label="3: add_scalar(-3)\n[1x1]\nvalue -3.0000"];
  n4 [label="4 loss: powi(2)\n[1x1]\nvalue 9.0000"];
  n0 -> n2;
  n1 -> n2;
  n2 -> n3;
  n3 -> n4;
}
"#
    );
    let grads = tape.backward(loss);
    let dot = tape.to_dot(Some(&grads));
    assert!(dot.contains(r#"n1 [label="1 w: leaf\n[2x1]\nvalue [0.5000, -0.2500]\ngrad [-6.0000, -12.0000]", style=bold];"#), "{dot}");
}

/// The step-through yields exactly the gradients that `backward` returns: what each node
/// receives, summed over the steps, equals its gradient, and each step's adjoint is it too.
#[test]
fn step_through_matches_backward() {
    let tape = Tape::new();
    let a = tape.leaf(Tensor::from_rows(&[[0.3, -1.2], [2.0, 0.7]]));
    let b = tape.leaf(Tensor::row(&[0.5, -0.4]));
    let h = (a * b + a).tanh(); // a used twice, b broadcast over rows
    let loss = (h.matmul(a.t()) * h.sum()).sigmoid().sum();
    let grads = tape.backward(loss);
    let steps = tape.backward_steps(loss);
    assert_eq!(steps.first().map(|s| s.node), Some(loss.index()));
    let order: Vec<usize> = steps.iter().map(|s| s.node).collect();
    assert!(
        order.windows(2).all(|w| w[0] > w[1]),
        "reverse order: {order:?}"
    );
    let mut received: Vec<Option<Tensor>> = vec![None; tape.len()];
    for step in &steps {
        assert_eq!(
            &step.adjoint,
            grads.by_index(step.node).unwrap(),
            "node {}",
            step.node
        );
        for (k, g) in &step.sends {
            received[*k] = Some(match received[*k].take() {
                None => g.clone(),
                Some(acc) => acc.add(g),
            });
        }
    }
    for (k, r) in received.iter().enumerate() {
        if let Some(r) = r {
            assert_eq!(r, grads.by_index(k).unwrap(), "node {k}");
        }
    }
    assert_eq!(received[a.index()].as_ref(), Some(&grads[a]));
}

fn recorded(build: impl for<'t> Fn(&'t Tape)) -> Anomaly {
    let tape = Tape::with_anomaly_mode(AnomalyMode::Record);
    build(&tape);
    tape.anomaly().expect("an anomaly was recorded")
}

#[test]
fn anomaly_ln_of_zero_in_forward() {
    let a = recorded(|t| {
        let x = t.leaf(Tensor::row(&[1.0, 0.0]));
        let y = (x * 2.0).ln().exp(); // ln(0) = -inf at node 2; exp(-inf) = 0 is not reported
        let _ = t.backward(y.sum());
    });
    assert_eq!((a.phase, a.node, a.op.as_str()), (Phase::Forward, 2, "ln"));
    assert_eq!(
        a.inputs,
        vec![InputSummary {
            node: 1,
            shape: (1, 2),
            min: 0.0,
            max: 2.0,
            nans: 0,
            infs: 0,
        }]
    );
    assert_eq!(
        a.to_string(),
        "anomaly in forward: node 2 (ln) produced a non-finite value; input node 1 [1x2] min 0e0 max 2e0"
    );
}

#[test]
fn anomaly_zero_over_zero_in_forward() {
    let a = recorded(|t| {
        let x = t.leaf(Tensor::row(&[0.0, 1.0]));
        let _ = x / x;
    });
    assert_eq!((a.phase, a.node, a.op.as_str()), (Phase::Forward, 1, "div"));
    assert_eq!(a.inputs.len(), 2);
}

#[test]
fn anomaly_exp_overflow_in_forward() {
    let a = recorded(|t| {
        let x = t.leaf(Tensor::scalar(1000.0));
        let _ = x.exp();
    });
    assert_eq!((a.phase, a.node, a.op.as_str()), (Phase::Forward, 1, "exp"));
    assert_eq!(
        a.inputs,
        vec![InputSummary {
            node: 0,
            shape: (1, 1),
            min: 1000.0,
            max: 1000.0,
            nans: 0,
            infs: 0,
        }]
    );
}

/// sqrt(0) = 0 is finite, but its rule dy / (2 sqrt x) divides by 0: the backward anomaly.
#[test]
fn anomaly_sqrt_at_zero_in_backward() {
    let a = recorded(|t| {
        let x = t.leaf(Tensor::row(&[0.0, 4.0]));
        let _ = t.backward(x.sqrt().sum());
    });
    assert_eq!(
        (a.phase, a.node, a.op.as_str()),
        (Phase::Backward { input: 0 }, 1, "sqrt")
    );
    assert!(a.to_string().starts_with(
        "anomaly in backward: node 1 (sqrt) sent a non-finite gradient to its input 0"
    ));
}

#[test]
#[should_panic(expected = "anomaly in forward: node 1 (ln) produced a non-finite value")]
fn anomaly_detection_on_for_the_thread_panics_at_the_first_one() {
    set_anomaly_detection(AnomalyMode::Panic);
    let tape = Tape::new();
    let x = tape.leaf(Tensor::scalar(-1.0));
    let _ = x.ln();
}

#[test]
fn anomaly_detection_is_off_by_default() {
    let tape = Tape::new();
    let x = tape.leaf(Tensor::scalar(0.0));
    let y = x.ln();
    assert!(!y.value().all_finite());
    assert!(tape.anomaly().is_none());
}

/// Names as data (issue 31): a 70 000-byte name prints in the table clipped with an ellipsis
/// (it panicked: format widths stop at 65 535); a name with a quote, a backslash, a newline
/// and a control character stays inside its DOT label.
#[test]
fn long_and_hostile_names_print_safely() {
    let tape = Tape::new();
    let long = "w".repeat(70_000);
    let _ = tape.leaf(Tensor::scalar(1.0)).named(&long);
    let table = tape.to_string();
    assert!(table.contains(&format!("{}…", "w".repeat(59))), "clipped");
    assert!(table.len() < 1000, "{} bytes", table.len());
    let tape = Tape::new();
    let _ = tape
        .leaf(Tensor::scalar(1.0))
        .named("layer \"a\"\\ \n x\u{7}");
    let dot = tape.to_dot(None);
    let line = dot.lines().find(|l| l.contains("n0 [")).unwrap();
    assert!(line.contains(r#"layer \"a\"\\ \n x"#), "{line}");
    assert!(line.ends_with("style=bold];"), "{line}");
}
