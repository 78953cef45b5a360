//! The machinery the DTMF and MFC-R2 receivers share: cutting input into sub-blocks and
//! correlating them ([`Frontend`]), and following one two-tone signal from its first valid
//! window to its end with sample-accurate edges ([`Tracker`]).
//!
//! # Windows and edges
//!
//! A receiver looks at the last two sub-blocks (`2L` samples) as one coherent DFT window,
//! `W = X[j−1] + e^(−jωL)·X[j]`, and at the window one sub-block earlier to measure how far
//! each tone's phase moved (its frequency offset). What a receiver accepts is its own
//! business; once it names a signal, the [`Tracker`] takes over and works per sub-block:
//!
//! - A sub-block *carries* the signal when both tones are at least half their full-sub-block
//!   amplitude and together hold at least half the sub-block's power (so speech or another
//!   signal laid over the same bins does not keep a tone alive).
//! - In the sub-block where a tone starts or stops, its magnitude is the covered fraction of a
//!   full sub-block's: `start = end_of_sub_block − L·fraction`, and likewise for the end. That
//!   puts edges within a couple of samples of the truth for clean tones.
//! - The signal is reported once `tone_end − start ≥ min_tone`, and ended once a sub-block
//!   that does not carry it finishes `min_pause` or more after `tone_end`. Shorter gaps are
//!   bridged.

use crate::correlator::{COEFFICIENT_ONE, Complex, PairFit, apply_pair_fit, correlate};
use crate::edge::ToneEdge;

/// Sub-blocks of history kept: two for the current window, one more for the previous
/// window's phase, one more to find a start edge in.
pub const HISTORY: usize = 4;

/// Sub-block assembly, correlation and history for `ROWS / 2` bins of `L`-sample sub-blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frontend<const L: usize, const ROWS: usize> {
    rows: &'static [[i16; L]; ROWS],
    /// Sub-block results, ring indexed by sub-block number modulo `HISTORY`.
    history: [[i32; ROWS]; HISTORY],
    energies: [i32; HISTORY],
    /// Completed sub-blocks; sub-block `j` covers samples `j·L .. (j+1)·L`.
    sub_blocks: u64,
    pending: [i16; L],
    pending_len: u8,
}

impl<const L: usize, const ROWS: usize> Frontend<L, ROWS> {
    /// A front end correlating with `rows` (from [`crate::correlator::build_rows`]).
    pub fn new(rows: &'static [[i16; L]; ROWS]) -> Self {
        Self {
            rows,
            history: [[0; ROWS]; HISTORY],
            energies: [0; HISTORY],
            sub_blocks: 0,
            pending: [0; L],
            pending_len: 0,
        }
    }

    /// Samples consumed so far.
    pub fn samples_seen(&self) -> u64 {
        self.sub_blocks * L as u64 + u64::from(self.pending_len)
    }

    /// Number of completed sub-blocks.
    pub fn sub_blocks(&self) -> u64 {
        self.sub_blocks
    }

    /// Consumes `samples`; after each completed sub-block `j` calls `on_sub_block(self, j)`.
    #[inline]
    pub fn feed(&mut self, samples: &[i16], mut on_sub_block: impl FnMut(&Self, u64)) {
        let mut rest = samples;
        if self.pending_len > 0 {
            let have = usize::from(self.pending_len);
            let take = (L - have).min(rest.len());
            self.pending[have..have + take].copy_from_slice(&rest[..take]);
            rest = &rest[take..];
            self.pending_len += take as u8;
            if usize::from(self.pending_len) < L {
                return;
            }
            self.pending_len = 0;
            let block = self.pending;
            self.push(&block);
            on_sub_block(self, self.sub_blocks - 1);
        }
        let mut chunks = rest.chunks_exact(L);
        for chunk in &mut chunks {
            if let Ok(block) = <&[i16; L]>::try_from(chunk) {
                self.push(block);
                on_sub_block(self, self.sub_blocks - 1);
            }
        }
        let tail = chunks.remainder();
        self.pending[..tail.len()].copy_from_slice(tail);
        self.pending_len = tail.len() as u8;
    }

    #[inline]
    fn push(&mut self, block: &[i16; L]) {
        let slot = Self::slot(self.sub_blocks);
        self.energies[slot] = correlate(self.rows, block, &mut self.history[slot]);
        self.sub_blocks += 1;
    }

    fn slot(sub_block: u64) -> usize {
        (sub_block % HISTORY as u64) as usize
    }

    /// Bin `bin` of sub-block `j` (one of the last `HISTORY`), referenced to its first sample.
    #[inline]
    pub fn bin(&self, j: u64, bin: usize) -> Complex {
        let row = &self.history[Self::slot(j)];
        Complex::from_pair(row[2 * bin], row[2 * bin + 1])
    }

    /// Correlator row `r` (row `2k` is bin `k`'s cosine, `2k + 1` its negated sine).
    pub fn row(&self, r: usize) -> &[i16; L] {
        &self.rows[r]
    }

    /// `Σ (x >> 3)²` of sub-block `j`.
    #[inline]
    pub fn energy(&self, j: u64) -> i64 {
        i64::from(self.energies[Self::slot(j)])
    }

    /// The coherent window of sub-blocks `j − 1` and `j` for `bin`, referenced to the first
    /// sample of `j − 1`; `rotation` is the bin's `e^(−jωL)`.
    #[inline]
    pub fn window(&self, j: u64, bin: usize, rotation: (i32, i32)) -> Complex {
        self.bin(j - 1, bin) + self.bin(j, bin).rotate(rotation)
    }
}

/// Scales between magnitudes and levels for `L`-sample sub-blocks.
pub struct Scales<const L: usize>;

impl<const L: usize> Scales<L> {
    /// `|W|²` of a two-sub-block window for a tone of peak amplitude `peak` (16-bit units)
    /// on its bin: `(L · 4096 · peak/8)²`.
    pub fn window_power(peak: f64) -> i64 {
        (L as f64 * f64::from(COEFFICIENT_ONE) * peak / 8.0).powi(2).round() as i64
    }

    /// Window energy `Σ(x>>3)²` over `2L` samples of a sine of peak `peak`.
    pub fn window_energy(peak: f64) -> i64 {
        (L as f64 * (peak / 8.0).powi(2)).round() as i64
    }

    /// A tone's energy over the window is `|W|² / (L · 4096²)`: this is the divisor.
    pub fn window_energy_divisor() -> i128 {
        L as i128 * i128::from(COEFFICIENT_ONE).pow(2)
    }

    /// A tone's energy over one sub-block is `2·|X|² / (L · 4096²)`.
    pub fn sub_block_energy_divisor() -> i128 {
        L as i128 * i128::from(COEFFICIENT_ONE).pow(2)
    }
}

/// A receiver's verdict on one window: the signal it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// The two bins holding the tones.
    pub bins: (usize, usize),
    /// The receiver's code for the signal.
    pub code: u8,
    /// Separates the two tones' values from the two bins' (see
    /// [`crate::correlator::build_pair_fits`]).
    pub fit: &'static PairFit,
    /// Q14 `e^(−jωL)` of the two bins.
    pub rotations: [(i32, i32); 2],
}

/// The signal being followed from its first valid window until its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tracked {
    /// The two bins.
    bins: (u8, u8),
    fit: &'static PairFit,
    rotations: [(i32, i32); 2],
    /// Receiver's code for the signal.
    code: u8,
    /// Start event sent.
    reported: bool,
    /// Consecutive windows the receiver found valid for this signal (saturating).
    streak: u8,
    start: u64,
    /// First sample after the last one known to carry the signal.
    tone_end: u64,
    /// `|X|²` of a full sub-block of each tone.
    reference: (i64, i64),
}

/// Follows one two-tone signal at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tracker {
    tracked: Option<Tracked>,
    min_tone_samples: u32,
    min_pause_samples: u32,
    confirming_windows: u8,
}

impl Tracker {
    /// A tracker reporting signals that lasted at least `min_tone_ms` and were found valid by
    /// `confirming_windows` consecutive windows, and ending them after `min_pause_ms`
    /// without the signal.
    pub fn new(min_tone_ms: u32, min_pause_ms: u32, confirming_windows: u8) -> Self {
        Self {
            tracked: None,
            min_tone_samples: min_tone_ms.saturating_mul(8),
            min_pause_samples: min_pause_ms.saturating_mul(8),
            confirming_windows,
        }
    }

    /// Code of the signal reported as on.
    pub fn current(&self) -> Option<u8> {
        self.tracked.filter(|t| t.reported).map(|t| t.code)
    }

    /// Drops whatever is being followed, without events.
    pub fn clear(&mut self) {
        self.tracked = None;
    }

    /// Advances by sub-block `j`: `hit` is the receiver's verdict on the window ending with
    /// it, as `(bin_a, bin_b, code)`. Calls `emit(code, edge, sample)` for starts and ends.
    pub fn follow<const L: usize, const ROWS: usize>(
        &mut self,
        frontend: &Frontend<L, ROWS>,
        j: u64,
        hit: Option<Hit>,
        mut emit: impl FnMut(u8, ToneEdge, u64),
    ) {
        let block_start = j * L as u64;
        let block_end = block_start + L as u64;
        let Some(mut tracked) = self.tracked else {
            if let Some(hit) = hit {
                self.tracked = Some(begin(frontend, j, hit));
                self.check_duration(&mut emit);
            }
            return;
        };
        if let Some(other) = hit
            && other.code != tracked.code
        {
            // Another signal took over without a pause: close this one where it stopped.
            if tracked.reported {
                emit(tracked.code, ToneEdge::End, tracked.tone_end);
            }
            self.tracked = Some(begin(frontend, j, other));
            self.check_duration(&mut emit);
            return;
        }
        if tracked.streak < self.confirming_windows {
            // Until confirmed, the valid windows must come one after another.
            tracked.streak = if hit.is_some() { tracked.streak + 1 } else { 0 };
        }
        let (present, full) = presence(frontend, &tracked, j);
        if full {
            tracked.tone_end = block_end;
            if hit.is_some() {
                // Follow slow level changes while the signal is steady and valid.
                let (a, b) = tones(frontend, &tracked, j);
                tracked.reference.0 = (tracked.reference.0 + a) / 2;
                tracked.reference.1 = (tracked.reference.1 + b) / 2;
            }
        } else if tracked.tone_end == block_start {
            // Full up to this sub-block, and it stops inside it, or stopped just before the
            // end of the previous one (which still counted as full).
            let covered = fit_coverage(frontend, &tracked, j, Side::Head);
            tracked.tone_end = if covered == 0 && j > 0 {
                block_start - L as u64 + fit_coverage(frontend, &tracked, j - 1, Side::Head)
            } else {
                block_start + covered
            };
        }
        self.tracked = Some(tracked);
        if !tracked.reported {
            self.check_duration(&mut emit);
            if self.tracked.is_some_and(|t| !t.reported) && !present {
                // Gone before it lasted long enough: not a signal.
                self.tracked = None;
            }
            return;
        }
        if !present && block_end.saturating_sub(tracked.tone_end) >= u64::from(self.min_pause_samples) {
            emit(tracked.code, ToneEdge::End, tracked.tone_end);
            self.tracked = None;
        }
    }

    fn check_duration(&mut self, emit: &mut impl FnMut(u8, ToneEdge, u64)) {
        if let Some(tracked) = &mut self.tracked
            && !tracked.reported
            && tracked.streak >= self.confirming_windows
            && tracked.tone_end.saturating_sub(tracked.start) >= u64::from(self.min_tone_samples)
        {
            tracked.reported = true;
            emit(tracked.code, ToneEdge::Start, tracked.start);
        }
    }
}

/// Each tone's own value in sub-block `j`: the two bins' values with cross-talk and images
/// removed (exact for steady tones on the bins over the whole sub-block).
fn separated<const L: usize, const ROWS: usize>(
    frontend: &Frontend<L, ROWS>,
    tracked: &Tracked,
    j: u64,
) -> [Complex; 2] {
    let a = frontend.bin(j, usize::from(tracked.bins.0));
    let b = frontend.bin(j, usize::from(tracked.bins.1));
    apply_pair_fit(tracked.fit, a, b)
}

/// `|X|²` of each tone in sub-block `j`, with the other tone's cross-talk removed.
fn tones<const L: usize, const ROWS: usize>(
    frontend: &Frontend<L, ROWS>,
    tracked: &Tracked,
    j: u64,
) -> (i64, i64) {
    let [a, b] = separated(frontend, tracked, j);
    (a.norm_sqr(), b.norm_sqr())
}

/// Which end of a sub-block the signal occupies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// From some sample to the end: the signal starts here.
    Tail,
    /// From the first sample to some sample: the signal stops here.
    Head,
}

/// Samples of sub-block `e` that carry the signal, found by fitting a model of the two tones
/// to the sub-block's two bin values.
///
/// The two tones are taken from the neighbouring full sub-block (separated exactly, cross-talk
/// and negative-frequency images accounted for) and carried over to `e` with each tone's
/// phase step measured between the two neighbours (the bin's own step when only one
/// neighbour is known). For every split point the model's partial bin values are
/// compared with the observed ones; the closest is the edge.
fn fit_coverage<const L: usize, const ROWS: usize>(
    frontend: &Frontend<L, ROWS>,
    tracked: &Tracked,
    e: u64,
    side: Side,
) -> u64 {
    let latest = frontend.sub_blocks().saturating_sub(1);
    let oldest = frontend.sub_blocks().saturating_sub(HISTORY as u64);
    let (full, second) = match side {
        Side::Tail => (e + 1, e + 2),
        Side::Head => (e.wrapping_sub(1), e.wrapping_sub(2)),
    };
    if e < oldest || full < oldest || full > latest {
        return covered_samples::<L, ROWS>(frontend, tracked, e);
    }
    let bins = [usize::from(tracked.bins.0), usize::from(tracked.bins.1)];
    let model = ToneModel::<L, ROWS> { frontend, bins };
    let near = separated(frontend, tracked, full);
    let far = (oldest..=latest).contains(&second).then(|| separated(frontend, tracked, second));
    // Carry the fitted tones over to sub-block `e`.
    let mut amplitude = near;
    for t in 0..2 {
        amplitude[t] = match far {
            Some(far) => turned_by_step(near[t], near[t], far[t]),
            None => {
                // e^(−jωL) goes back one sub-block; its conjugate goes forward.
                let (c, s) = tracked.rotations[t];
                near[t].rotate(if side == Side::Tail { (c, s) } else { (c, -s) })
            }
        };
    }
    let samples = model.samples(&amplitude);
    let observed = [frontend.bin(e, bins[0]), frontend.bin(e, bins[1])];
    // Partial bin values of the model over the covered part, grown one sample at a time
    // from the side the signal occupies; keep the split with the smallest misfit.
    let mut partial = [Complex::default(); 2];
    let misfit = |partial: &[Complex; 2]| -> i128 {
        (0..2)
            .map(|t| {
                let (re, im) =
                    (i128::from(observed[t].re - partial[t].re), i128::from(observed[t].im - partial[t].im));
                re * re + im * im
            })
            .sum()
    };
    let mut best = (misfit(&partial), 0u64);
    for covered in 1..=L {
        let n = match side {
            Side::Tail => L - covered,
            Side::Head => covered - 1,
        };
        model.accumulate(&mut partial, samples[n], n);
        let m = misfit(&partial);
        if m < best.0 {
            best = (m, covered as u64);
        }
    }
    best.1
}

/// Two tones on two bins, synthesised from their full-sub-block bin values.
struct ToneModel<'a, const L: usize, const ROWS: usize> {
    frontend: &'a Frontend<L, ROWS>,
    bins: [usize; 2],
}

impl<const L: usize, const ROWS: usize> ToneModel<'_, L, ROWS> {
    /// Samples (13-bit units) of the two tones whose full-sub-block values on their own bins
    /// would be `amplitude`: `x[n] = Σ_t Re(c_t e^(jω_t n))` with `c_t = 2·X_t / (L·4096)`.
    fn samples(&self, amplitude: &[Complex; 2]) -> [i64; L] {
        let divisor = L as i64 * i64::from(COEFFICIENT_ONE) * i64::from(COEFFICIENT_ONE) / 2;
        let mut out = [0i64; L];
        for (n, x) in out.iter_mut().enumerate() {
            let mut sum = 0i64;
            for (&bin, tone) in self.bins.iter().zip(amplitude) {
                let (re, im) = (self.frontend.row(2 * bin)[n], self.frontend.row(2 * bin + 1)[n]);
                sum += tone.re * i64::from(re) + tone.im * i64::from(im);
            }
            *x = (sum + divisor / 2).div_euclid(divisor);
        }
        out
    }

    /// Adds sample `n`'s contribution to the two bin values.
    fn accumulate(&self, bins: &mut [Complex; 2], sample: i64, n: usize) {
        for (t, bin) in bins.iter_mut().enumerate() {
            let (re, im) =
                (self.frontend.row(2 * self.bins[t])[n], self.frontend.row(2 * self.bins[t] + 1)[n]);
            bin.re += sample * i64::from(re);
            bin.im += sample * i64::from(im);
        }
    }
}

/// `value` turned by the phase step from `far` to `near` (one sub-block), i.e. carried one
/// sub-block beyond `near`, away from `far`: `value · near · conj(far) / (|near|·|far|)`,
/// with the geometric mean of the two powers taken as their arithmetic mean (they are equal
/// for a steady tone).
fn turned_by_step(value: Complex, near: Complex, far: Complex) -> Complex {
    let (nr, ni, fr, fi) = (i128::from(near.re), i128::from(near.im), i128::from(far.re), i128::from(far.im));
    let (sr, si) = (nr * fr + ni * fi, ni * fr - nr * fi);
    let scale = (i128::from(near.norm_sqr()) + i128::from(far.norm_sqr())) / 2;
    if scale == 0 {
        return value;
    }
    let (vr, vi) = (i128::from(value.re), i128::from(value.im));
    // A true tone value is below 2³²; the bound keeps garbage from overflowing the model.
    let limit = 1i128 << 34;
    Complex {
        re: ((vr * sr - vi * si) / scale).clamp(-limit, limit) as i64,
        im: ((vr * si + vi * sr) / scale).clamp(-limit, limit) as i64,
    }
}

/// Starts following `hit` found in the window ending with sub-block `j`: learns the
/// full-sub-block magnitudes and finds the start edge in the history.
fn begin<const L: usize, const ROWS: usize>(frontend: &Frontend<L, ROWS>, j: u64, hit: Hit) -> Tracked {
    let oldest = j.saturating_sub(HISTORY as u64 - 1);
    let mut tracked = Tracked {
        bins: (hit.bins.0 as u8, hit.bins.1 as u8),
        fit: hit.fit,
        rotations: hit.rotations,
        code: hit.code,
        reported: false,
        streak: 1,
        start: oldest * L as u64,
        tone_end: (j + 1) * L as u64,
        reference: (1, 1),
    };
    // The window ending with `j` passed, so `j` and `j − 1` carry the signal: their mean is
    // a full sub-block's magnitude.
    let (a1, b1) = tones(frontend, &tracked, j);
    let (a0, b0) = tones(frontend, &tracked, j - 1);
    tracked.reference = (((a0 + a1) / 2).max(1), ((b0 + b1) / 2).max(1));
    // Walk back over the sub-blocks that carry the signal; the edge is in the first of them
    // or, if the one before holds part of the tones, in that one.
    let mut edge = j;
    while edge > oldest && presence(frontend, &tracked, edge - 1).0 {
        edge -= 1;
    }
    if edge > oldest && covered_samples::<L, ROWS>(frontend, &tracked, edge - 1) * 16 >= L as u64 {
        edge -= 1;
    }
    let covered = if edge < j {
        fit_coverage(frontend, &tracked, edge, Side::Tail)
    } else {
        covered_samples::<L, ROWS>(frontend, &tracked, edge)
    };
    let full_at_oldest = edge == oldest && covered * 10 >= 9 * L as u64;
    if !full_at_oldest {
        tracked.start = (edge + 1) * L as u64 - covered;
    }
    tracked
}

/// (carries the signal, carries it over the whole sub-block) for sub-block `j`.
fn presence<const L: usize, const ROWS: usize>(
    frontend: &Frontend<L, ROWS>,
    tracked: &Tracked,
    j: u64,
) -> (bool, bool) {
    let (a, b) = tones(frontend, tracked, j);
    let (a, b) = (i128::from(a), i128::from(b));
    let (ref_a, ref_b) = (i128::from(tracked.reference.0), i128::from(tracked.reference.1));
    // Amplitude ≥ 0.5 of full ⇔ power ≥ 0.25; amplitude ≥ 0.9 ⇔ power ≥ 0.81.
    let present = a * 4 >= ref_a && b * 4 >= ref_b;
    let full = a * 100 >= ref_a * 81 && b * 100 >= ref_b * 81;
    // Tone energy in the sub-block is 2·|X|²/(L·4096²); it must be half of Σx² or more.
    let dominant = (a + b) * 4 >= Scales::<L>::sub_block_energy_divisor() * i128::from(frontend.energy(j));
    (present && dominant, full && dominant)
}

/// Samples of sub-block `j` the signal covers, from the two tones' amplitude fractions
/// (used where no full neighbour is at hand for [`fit_coverage`]).
fn covered_samples<const L: usize, const ROWS: usize>(
    frontend: &Frontend<L, ROWS>,
    tracked: &Tracked,
    j: u64,
) -> u64 {
    let (a, b) = tones(frontend, tracked, j);
    let a = amplitude_ratio_q8(a, tracked.reference.0);
    let b = amplitude_ratio_q8(b, tracked.reference.1);
    let fraction_q8 = ((a + b) / 2).min(256);
    (fraction_q8 * L as u64 + 128) / 256
}

/// `sqrt(power / reference)` in Q8, capped at 4.0.
fn amplitude_ratio_q8(power: i64, reference: i64) -> u64 {
    if reference <= 0 {
        return 0;
    }
    let ratio_q16 = ((power.max(0) as u128) << 16) / reference as u128;
    (ratio_q16.min(1 << 20) as u64).isqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_is_a_square_root() {
        assert_eq!(amplitude_ratio_q8(100, 100), 256);
        assert_eq!(amplitude_ratio_q8(25, 100), 128);
        assert_eq!(amplitude_ratio_q8(0, 100), 0);
        assert_eq!(amplitude_ratio_q8(1 << 40, 1), 1024);
        assert_eq!(amplitude_ratio_q8(5, 0), 0);
    }

    #[test]
    fn scales_are_consistent() {
        // A sine of peak 8000 over 96 samples: Σ(x>>3)² = 96 · 1000² / 2.
        assert_eq!(Scales::<48>::window_energy(8000.0), 48_000_000);
        // |W| = 48 · 4096 · 1000.
        assert_eq!(Scales::<48>::window_power(8000.0), (48i64 * 4096 * 1000).pow(2));
        // Energy from |W|²: (48·4096·1000)² / (48·4096²) = 48·1000².
        assert_eq!(
            i128::from(Scales::<48>::window_power(8000.0)) / Scales::<48>::window_energy_divisor(),
            48_000_000
        );
    }

    #[test]
    fn tracker_size() {
        assert_eq!(std::mem::size_of::<Tracker>(), 80);
    }
}
