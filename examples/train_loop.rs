//! The training loop in a few lines: an MLP fitted to noisy samples with three optimizers,
//! each run recorded in a `History`, one figure of all three.
//!
//! ```text
//! cargo run --example train_loop                    # writes target/tapegrad-plots/train_loop/loss.svg
//! cargo run --example train_loop -- --out docs      # the figure in the README
//! ```

#[macro_use]
mod common;

use common::Cli;
use serde_json::json;
use tapegrad::nn::{Activation, Params, mlp};
use tapegrad::optim::{Adam, Optimizer, Sgd};
use tapegrad::plot::{XAxis, histories};
use tapegrad::train::{Batches, History, Progress, Trainer};
use tapegrad::{Rng, Tensor};

const ABOUT: &str = "The training loop of tapegrad::train in a few lines: a 1-32-32-1 tanh MLP \
fitted to 64 noisy samples of sin(3x) by full-batch GD, minibatch SGD with momentum and Adam, \
each run's loss recorded in a History and drawn in one figure.";

fn main() {
    let args = Cli::new("train_loop", ABOUT)
        .flag("steps", "K", 1000, "steps of each optimizer")
        .switch(
            "replay",
            "run each step as a replay of one recording (Trainer::replay): the same numbers, faster",
        )
        .example("cargo run --example train_loop -- --out docs")
        .example("cargo run --release --example train_loop -- --replay --steps 20000")
        .parse();
    let steps: usize = args.get("steps");
    let mut rng = Rng::new(0);
    let x = Tensor::rand_uniform(64, 1, -1.0, 1.0, &mut rng);
    let y = x
        .map(|v| (3.0 * v).sin())
        .add(&Tensor::rand_normal(64, 1, 0.0, 0.05, &mut rng));
    let mut init = Params::new();
    let model = mlp(&[1, 32, 32, 1], Activation::Tanh).build(&mut init, &mut rng);

    let runs: [(&str, Batches, Box<dyn Optimizer>); 3] = [
        ("GD, lr 0.1", Batches::Full, Box::new(Sgd::new(0.1))),
        (
            "SGD, lr 0.02, momentum 0.9, batch 8",
            Batches::Shuffled(8),
            Box::new(Sgd::new(0.02).momentum(0.9)),
        ),
        ("Adam, lr 0.01", Batches::Full, Box::new(Adam::new(0.01))),
    ];
    let mut done = Vec::new();
    for (name, batches, mut opt) in runs {
        let mut params = init.clone();
        let mut history = History::new(name);
        let mut progress = if args.on("quiet") {
            Progress::quiet()
        } else {
            Progress::new(Some(steps))
        };
        let trained = Trainer::new(&model, &x, &y)
            .batches(batches)
            .steps(steps)
            .observe(&mut history)
            .observe(&mut progress)
            .replay(args.on("replay"))
            .run(&mut params, opt.as_mut());
        if let Err(e) = trained {
            eprintln!("train_loop: {name}: {e}");
            std::process::exit(1);
        }
        if !args.json() {
            outln!("{name:<26} final loss {:.3e}", history.last_loss());
        }
        done.push(history);
    }
    let path = args.out_dir().join("loss.svg");
    let refs: Vec<&History> = done.iter().collect();
    args.check(
        histories(
            "Training loss of a 1-32-32-1 MLP",
            &refs,
            XAxis::Steps,
            None,
        )
        .save(&path),
    );
    if args.json() {
        let runs: Vec<_> = done
            .iter()
            .map(|h| {
                // The history as a JSON object (to_json writes its text).
                let history: serde_json::Value =
                    serde_json::from_str(&h.to_json()).expect("History::to_json is JSON");
                json!({ "name": h.name, "final_loss": h.last_loss(), "history": history })
            })
            .collect();
        outln!("{}", json!({ "runs": runs, "plots": [path] }));
        return;
    }
    outln!("\nPlot: {}", path.display());
}
