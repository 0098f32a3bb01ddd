//! rapport: a local, private analyzer of recorded client calls.
//!
//! The pipeline is a chain of stages, each a module with one type at its
//! boundary: [`audio`] decodes recordings into 16 kHz [`audio::Track`]s,
//! [`speech`] finds where each track has speech, [`transcribe`] runs Whisper
//! on those regions only, [`speakers`] decides who is who, and
//! [`transcript`] assembles the [`transcript::Call`] everything downstream
//! reads. [`model`] makes and finds the Whisper model. The library never
//! prints; the binary in `main.rs` owns the terminal.

pub mod model;
pub mod audio;
