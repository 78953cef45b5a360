//! Fixed-point telephony DSP.
