//! Anomaly detection: the first op whose value or backward gradient becomes non-finite
//! (NaN or infinite), named with its node, inputs and their ranges.
//!
//! Off by default (no cost). Turn it on for every tape of a thread with one call,
//! [`set_anomaly_detection`], or for one tape with [`Tape::with_anomaly_mode`](crate::Tape::with_anomaly_mode):
//! [`AnomalyMode::Record`] keeps the first anomaly for [`Tape::anomaly`](crate::Tape::anomaly), and
//! [`AnomalyMode::Panic`] stops there with the report (like PyTorch's `detect_anomaly`).
//!
//! The detection is part of the tape (`src/tape/anomaly.rs`): each [`Tape`](crate::Tape)
//! keeps its mode and its first report, and checks what it records and what its sweep sends.

pub use crate::tape::anomaly::{Anomaly, AnomalyMode, InputSummary, Phase, set_anomaly_detection};
