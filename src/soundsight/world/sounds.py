"""Synthesised sounds of the world: object sources, scene ambiences, music, reverb.

Every generator has the signature ``fn(rng, n, rate) -> (n,) float32``; levels are arbitrary
(the mixer normalises each source by the RMS of its active parts).
"""

from __future__ import annotations

import numpy as np
from scipy import signal

VOWELS: tuple[tuple[float, float, float], ...] = (
    (730.0, 1090.0, 2440.0),  # a
    (270.0, 2290.0, 3010.0),  # i
    (300.0, 870.0, 2240.0),  # u
)


# ---------------------------------------------------------------------------- helpers
def time_axis(n: int, rate: int) -> np.ndarray:
    """(n,) seconds."""
    return np.arange(n, dtype=np.float64) / rate


def colored_noise(rng: np.random.Generator, n: int, alpha: float) -> np.ndarray:
    """Noise with power spectrum ~ 1/f^alpha (0 white, 1 pink, 2 brown), unit RMS, (n,)."""
    spec = np.fft.rfft(rng.standard_normal(n))  # (n//2+1,)
    f = np.arange(len(spec), dtype=np.float64)
    f[0] = 1.0
    spec *= f ** (-alpha / 2)
    x = np.fft.irfft(spec, n)
    return x / (np.sqrt(np.mean(x**2)) + 1e-12)


def bandpass(x: np.ndarray, lo: float | None, hi: float | None, rate: int) -> np.ndarray:
    """Butterworth band/low/high-pass (order 2 per edge) of (n,) x."""
    nyq = rate / 2
    if lo is not None and hi is not None:
        sos = signal.butter(2, [lo / nyq, min(hi / nyq, 0.99)], btype="band", output="sos")
    elif lo is not None:
        sos = signal.butter(2, lo / nyq, btype="high", output="sos")
    elif hi is not None:
        sos = signal.butter(2, min(hi / nyq, 0.99), btype="low", output="sos")
    else:
        return x
    return signal.sosfilt(sos, x)


def resonators(x: np.ndarray, freqs: tuple[float, ...], bw: float, rate: int) -> np.ndarray:
    """Parallel two-pole resonators (formants) at ``freqs`` with bandwidth ``bw`` Hz."""
    out = np.zeros_like(x)
    r = np.exp(-np.pi * bw / rate)
    for k, f in enumerate(freqs):
        theta = 2 * np.pi * f / rate
        a = [1.0, -2 * r * np.cos(theta), r * r]
        out += signal.lfilter([1.0 - r], a, x) / (1.0 + k)
    return out


def saw_from_f0(f0: np.ndarray, rate: int, phase0: float = 0.0) -> np.ndarray:
    """Sawtooth (rich harmonics) following the instantaneous frequency f0 (n,) Hz."""
    phase = phase0 + np.cumsum(f0) / rate
    return 2.0 * (phase % 1.0) - 1.0


def event_envelope(
    n: int, rate: int, onsets: np.ndarray, durations: np.ndarray, ramp: float
) -> np.ndarray:
    """Sum of raised-cosine-edged gates (n,) for events (onset s, duration s), clipped to 1."""
    env = np.zeros(n)
    ramp_n = max(int(ramp * rate), 1)
    for onset, dur in zip(onsets, durations, strict=True):
        i0 = int(onset * rate)
        length = max(int(dur * rate), 2 * ramp_n + 1)
        if i0 >= n:
            continue
        gate = np.ones(length)
        edge = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, ramp_n))
        gate[:ramp_n] = edge
        gate[-ramp_n:] = edge[::-1]
        i1 = min(i0 + length, n)
        env[i0:i1] += gate[: i1 - i0]
    return np.minimum(env, 1.0)


def poisson_onsets(
    rng: np.random.Generator, duration: float, rate_hz: float, start_max: float = 0.5
) -> np.ndarray:
    """Event times of a Poisson process with mean ``rate_hz`` over ``duration`` seconds."""
    t = rng.uniform(0.0, start_max)
    times = []
    while t < duration:
        times.append(t)
        t += rng.exponential(1.0 / rate_hz)
    return np.asarray(times)


def add_at(out: np.ndarray, i0: int, piece: np.ndarray) -> None:
    """Add ``piece`` into ``out`` starting at sample i0 (clipped at the end)."""
    if i0 >= len(out) or i0 < 0:
        return
    m = min(len(piece), len(out) - i0)
    out[i0 : i0 + m] += piece[:m]


def decaying_partials(
    freqs: np.ndarray, amps: np.ndarray, taus: np.ndarray, length: int, rate: int
) -> np.ndarray:
    """Sum of exponentially decaying sinusoids (K partials) over ``length`` samples."""
    t = np.arange(length) / rate  # (L,)
    parts = np.sin(2 * np.pi * freqs[:, None] * t[None, :])  # (K, L)
    parts *= amps[:, None] * np.exp(-t[None, :] / taus[:, None])
    return parts.sum(axis=0)


def block_rms(x: np.ndarray, block: int) -> np.ndarray:
    """RMS of consecutive blocks of ``block`` samples (last partial block dropped)."""
    m = len(x) // block
    if m == 0:
        return np.array([np.sqrt(np.mean(x**2))]) if len(x) else np.zeros(1)
    return np.sqrt(np.mean(x[: m * block].reshape(m, block) ** 2, axis=1))


def normalise_active(x: np.ndarray, rate: int) -> np.ndarray:
    """Scale x so the RMS over its active 20 ms blocks (> 0.1 x max block RMS) is 1."""
    rms = block_rms(x, max(int(0.02 * rate), 1))
    peak = rms.max()
    if peak <= 0:
        return x
    active = rms[rms > 0.1 * peak]
    return x / (np.sqrt(np.mean(active**2)) + 1e-12)


def reverb(
    x: np.ndarray, rng: np.random.Generator, rate: int, rt60: float, wet: float
) -> np.ndarray:
    """Add a diffuse exponential-decay reverb tail (noise impulse response) to x."""
    length = int(rt60 * rate)
    t = np.arange(length) / rate
    ir = rng.standard_normal(length) * np.exp(-6.9 * t / rt60)
    ir /= np.sqrt(np.sum(ir**2)) + 1e-12
    tail = signal.fftconvolve(x, ir)[: len(x)]
    return (1 - wet) * x + wet * tail


# ---------------------------------------------------------------------------- sources
def _babble_excitation(
    rng: np.random.Generator, n: int, rate: int, f0_base: float
) -> tuple[np.ndarray, np.ndarray]:
    """One talker's glottal excitation split per vowel, (V, n), and consonant bursts, (n,).

    Syllables (~4 per second, 120-220 ms) are grouped in 1-3 s phrases separated by pauses;
    each syllable gets a random vowel. Filtering by the vowel formants happens afterwards, so
    several talkers can share one filter bank.
    """
    dur = n / rate
    t = time_axis(n, rate)
    onsets, durations = [], []
    time = rng.uniform(0.0, 0.4)
    while time < dur:
        phrase_end = time + rng.uniform(1.0, 3.0)
        while time < min(phrase_end, dur):
            syl = rng.uniform(0.12, 0.22)
            onsets.append(time)
            durations.append(syl)
            time += syl + rng.uniform(0.03, 0.12)  # ~4 syllables per second
        time += rng.uniform(0.25, 0.9)
    onsets_a, durations_a = np.asarray(onsets), np.asarray(durations)
    env = event_envelope(n, rate, onsets_a, durations_a, ramp=0.04)  # (n,) syllable AM
    intonation = 1 + 0.08 * np.sin(2 * np.pi * rng.uniform(0.2, 0.5) * t + rng.uniform(0, 6))
    f0 = f0_base * intonation * (1 + 0.02 * np.sin(2 * np.pi * 5.5 * t))
    source = saw_from_f0(f0, rate, rng.uniform()) * env
    syllable_index = np.maximum(np.searchsorted(onsets_a, t, side="right") - 1, 0)
    chosen = rng.integers(0, len(VOWELS), size=len(onsets_a) + 1)[syllable_index]  # (n,)
    per_vowel = np.stack([source * (chosen == v) for v in range(len(VOWELS))])  # (V, n)
    bursts = event_envelope(n, rate, onsets_a, np.full(len(onsets_a), 0.05), ramp=0.01)
    return per_vowel, bursts


def _babble(rng: np.random.Generator, n: int, rate: int, f0s: list[float]) -> np.ndarray:
    """Speech-like babble of talkers with fundamentals ``f0s`` through shared vowel formants."""
    excitation = np.zeros((len(VOWELS), n))
    bursts = np.zeros(n)
    for f0 in f0s:
        per_vowel, b = _babble_excitation(rng, n, rate, f0)
        excitation += per_vowel
        bursts += b
    scale = float(np.mean(f0s)) / 150.0 * 0.15 + 0.85  # higher voices -> higher formants
    voiced = sum(
        resonators(excitation[v], tuple(f * scale for f in formants), bw=120.0, rate=rate)
        for v, formants in enumerate(VOWELS)
    )
    consonant = bandpass(rng.standard_normal(n), 2500.0, 7000.0, rate)
    return voiced + 0.3 * np.minimum(bursts, 1.0) * consonant * np.std(voiced)


def sound_person(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Speech-like babble of one talker (f0 95-230 Hz)."""
    return _babble(rng, n, rate, [rng.uniform(95.0, 230.0)])


def sound_crowd(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Many overlapping babble voices (6-9 talkers)."""
    return _babble(rng, n, rate, list(rng.uniform(90.0, 240.0, size=int(rng.integers(6, 10)))))


def sound_baby(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Cry: long bursts at f0 400-520 Hz with 5-7 Hz vibrato and a rise-fall contour."""
    dur = n / rate
    t = time_axis(n, rate)
    onsets, durations = [], []
    time = rng.uniform(0.0, 0.5)
    while time < dur:
        burst = rng.uniform(0.7, 1.6)
        onsets.append(time)
        durations.append(burst)
        time += burst + rng.uniform(0.2, 0.6)
    onsets_a, durations_a = np.asarray(onsets), np.asarray(durations)
    env = event_envelope(n, rate, onsets_a, durations_a, ramp=0.08)
    idx = np.maximum(np.searchsorted(onsets_a, t, side="right") - 1, 0)
    pos = np.clip((t - onsets_a[idx]) / durations_a[idx], 0.0, 1.0)
    contour = 1 + 0.12 * np.sin(np.pi * pos)  # rise then fall within a burst
    f0 = (
        rng.uniform(400.0, 520.0) * contour * (1 + 0.03 * np.sin(2 * np.pi * rng.uniform(5, 7) * t))
    )
    voiced = resonators(saw_from_f0(f0, rate), (1100.0, 3000.0), bw=300.0, rate=rate)
    return env * voiced


def sound_dog(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Barks: short noisy harmonic bursts with falling pitch, in groups of 1-4."""
    out = np.zeros(n)
    dur = n / rate
    for group in poisson_onsets(rng, dur, 0.6):
        for k in range(int(rng.integers(1, 5))):
            length = int(rng.uniform(0.08, 0.2) * rate)
            tt = np.arange(length) / rate
            f0 = rng.uniform(350.0, 600.0) * np.exp(-tt * rng.uniform(2.0, 5.0))
            harm = saw_from_f0(f0, rate)
            noise = rng.standard_normal(length)
            env = (1 - np.exp(-tt / 0.005)) * np.exp(-tt / (length / rate / 3))
            bark = bandpass(env * (harm + 0.6 * noise), 400.0, 3500.0, rate)
            add_at(out, int((group + k * rng.uniform(0.22, 0.32)) * rate), bark)
    return out


def sound_car(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Engine hum: harmonics of a 30-60 Hz firing rate with slow rpm wobble, plus rumble."""
    t = time_axis(n, rate)
    f0 = rng.uniform(30.0, 60.0) * (1 + 0.05 * np.sin(2 * np.pi * rng.uniform(0.1, 0.4) * t))
    phase = np.cumsum(f0) / rate
    hum = np.zeros(n)
    for k in range(1, 9):
        hum += np.sin(2 * np.pi * k * phase + rng.uniform(0, 6)) * (1.5 if k == 2 else 1.0) / k
    rumble = bandpass(colored_noise(rng, n, 2.0), None, 400.0, rate)
    return hum + 0.6 * rumble * np.std(hum) / (np.std(rumble) + 1e-12)


def sound_waterfall(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Steady broadband noise (white + pink), high-passed at 150 Hz, slight flutter."""
    t = time_axis(n, rate)
    x = colored_noise(rng, n, 0.0) + colored_noise(rng, n, 1.0)
    return bandpass(x, 150.0, None, rate) * (1 + 0.05 * np.sin(2 * np.pi * 0.7 * t))


def sound_bird(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Songs of 3-8 FM chirps sweeping within 2-6 kHz."""
    out = np.zeros(n)
    dur = n / rate
    for song in poisson_onsets(rng, dur, 0.5):
        time = song
        for _ in range(int(rng.integers(3, 9))):
            length = int(rng.uniform(0.04, 0.15) * rate)
            f_a, f_b = rng.uniform(2000.0, 6000.0, size=2)
            f = np.linspace(f_a, f_b, length) * (1 + 0.05 * np.sin(np.linspace(0, 12, length)))
            env = np.sin(np.linspace(0, np.pi, length)) ** 2
            add_at(out, int(time * rate), env * np.sin(2 * np.pi * np.cumsum(f) / rate))
            time += length / rate + rng.uniform(0.03, 0.1)
    return out


def sound_guitar(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Plucked strings (Karplus-Strong) on a pentatonic scale, 2-4 notes per second."""
    out = np.zeros(n)
    root = rng.uniform(82.0, 165.0)
    scale = np.array([0, 3, 5, 7, 10, 12, 15, 17, 19])
    for onset in poisson_onsets(rng, n / rate, rng.uniform(2.0, 4.0)):
        f0 = root * 2 ** (rng.choice(scale) / 12)
        add_at(out, int(onset * rate), _karplus_strong(rng, f0, rate, 1.2))
    return out


def _karplus_strong(rng: np.random.Generator, f0: float, rate: int, seconds: float) -> np.ndarray:
    """Plucked-string tone: noise burst in a lossy delay line, computed period by period."""
    period = max(int(rate / f0), 2)
    n_blocks = int(seconds * rate / period) + 1
    y = np.zeros((n_blocks + 1) * period)
    y[period : 2 * period] = rng.uniform(-1, 1, period)
    rho = 0.996
    for b in range(2, n_blocks + 1):
        prev = y[(b - 1) * period : b * period]
        prev_shift = y[(b - 1) * period - 1 : b * period - 1]
        y[b * period : (b + 1) * period] = rho * 0.5 * (prev + prev_shift)
    return y[period:]


def sound_piano(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Struck tones: slightly inharmonic decaying partials, single notes and chords."""
    out = np.zeros(n)
    length = int(1.5 * rate)
    k = np.arange(1, 7, dtype=np.float64)
    for onset in poisson_onsets(rng, n / rate, rng.uniform(1.5, 3.0)):
        base = 48 + int(rng.integers(0, 30))  # MIDI note 48..77
        notes = [base] if rng.random() < 0.6 else [base, base + 4, base + 7]
        for midi in notes:
            f0 = 440.0 * 2 ** ((midi - 69) / 12)
            freqs = k * f0 * np.sqrt(1 + 0.0004 * k**2)
            keep = freqs < rate / 2.2
            amps = 1.0 / k**1.2
            taus = rng.uniform(0.6, 1.2) / np.sqrt(k)
            tone = decaying_partials(freqs[keep], amps[keep], taus[keep], length, rate)
            tone[: int(0.004 * rate)] *= np.linspace(0, 1, int(0.004 * rate))
            add_at(out, int(onset * rate), tone)
    return out


def sound_drum(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Kick (low thump with pitch drop), snare (noise + tone) and hats at 90-140 bpm."""
    out = np.zeros(n)
    beat = 60.0 / rng.uniform(90.0, 140.0)
    kick, snare, hat = _kick(rate), _snare(rng, rate), _hat(rng, rate)
    time, step = rng.uniform(0.0, 0.3), 0
    while time < n / rate:
        if step % 16 == 0 and rng.random() < 0.2:  # occasional rest bar
            time += 4 * beat
            step += 8
            continue
        i0 = int(time * rate)
        if step % 4 == 0:
            add_at(out, i0, kick)
        if step % 4 == 2:
            add_at(out, i0, snare)
        add_at(out, i0, 0.3 * hat)
        time += beat / 2
        step += 1
    return out


def _kick(rate: int) -> np.ndarray:
    """Low thump: sine sweeping 120 -> 45 Hz with exponential decay."""
    tt = np.arange(int(0.3 * rate)) / rate
    f = 45.0 + 75.0 * np.exp(-tt / 0.04)
    return np.sin(2 * np.pi * np.cumsum(f) / rate) * np.exp(-tt / 0.12)


def _snare(rng: np.random.Generator, rate: int) -> np.ndarray:
    """Snare: band-passed noise burst plus a 180 Hz tone."""
    tt = np.arange(int(0.2 * rate)) / rate
    noise = bandpass(rng.standard_normal(len(tt)), 1000.0, 5000.0, rate)
    return (noise * 1.5 + 0.5 * np.sin(2 * np.pi * 180 * tt)) * np.exp(-tt / 0.06)


def _hat(rng: np.random.Generator, rate: int) -> np.ndarray:
    """Hi-hat: high-passed noise with a fast decay."""
    tt = np.arange(int(0.06 * rate)) / rate
    return bandpass(rng.standard_normal(len(tt)), 6000.0, None, rate) * np.exp(-tt / 0.015)


def sound_train(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Rhythmic clatter (click pairs as wheels cross rail joints) over a low rumble."""
    rumble = bandpass(colored_noise(rng, n, 2.0), None, 250.0, rate)
    rumble /= np.std(rumble) + 1e-12
    out = np.zeros(n)
    period = rng.uniform(0.45, 0.9)
    gap = rng.uniform(0.1, 0.16)
    ring_f = rng.uniform(700.0, 1400.0)
    tt = np.arange(int(0.06 * rate)) / rate
    time = rng.uniform(0.0, period)
    while time < n / rate:
        for offset in (0.0, gap):
            click = bandpass(rng.standard_normal(len(tt)), 1000.0, 4000.0, rate)
            click = (click + 0.8 * np.sin(2 * np.pi * ring_f * tt)) * np.exp(-tt / 0.015)
            add_at(out, int((time + offset) * rate), 3.0 * click)
        time += period
    return out + 0.5 * rumble


# ---------------------------------------------------------------------------- ambiences
def ambience_waves(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Surf: low-passed noise swelling every 5-10 s, plus hiss."""
    t = time_axis(n, rate)
    swell = 0.35 + 0.65 * np.sin(np.pi * (t * rng.uniform(0.1, 0.2) + rng.uniform())) ** 4
    body = bandpass(colored_noise(rng, n, 1.0), None, 1200.0, rate)
    return swell * body + 0.2 * bandpass(colored_noise(rng, n, 0.0), 3000.0, None, rate)


def ambience_traffic(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Distant traffic: brown rumble with slow level changes."""
    t = time_axis(n, rate)
    level = 1 + 0.3 * np.sin(2 * np.pi * rng.uniform(0.05, 0.15) * t)
    return level * bandpass(colored_noise(rng, n, 1.8), 30.0, 800.0, rate)


def ambience_wind(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Wind: band-passed noise with slow gusts."""
    t = time_axis(n, rate)
    gust = 0.5 + 0.5 * np.sin(2 * np.pi * rng.uniform(0.1, 0.3) * t + rng.uniform(0, 6)) ** 2
    return gust * bandpass(colored_noise(rng, n, 1.0), 200.0, 2500.0, rate)


def ambience_room(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Room tone: quiet pink noise plus a faint mains hum."""
    t = time_axis(n, rate)
    hum = 0.3 * np.sin(2 * np.pi * 50.0 * t) + 0.15 * np.sin(2 * np.pi * 100.0 * t)
    return bandpass(colored_noise(rng, n, 1.0), None, 3000.0, rate) + hum


def ambience_hall(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Reverberant hall: diffuse low murmur and air noise through a long reverb."""
    air = bandpass(colored_noise(rng, n, 1.2), 60.0, 2000.0, rate)
    return reverb(air, rng, rate, rt60=2.0, wet=0.7)


def ambience_kitchen(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Kitchen: fridge hum (harmonics of 100 Hz) and occasional faint clinks."""
    t = time_axis(n, rate)
    hum = sum(np.sin(2 * np.pi * 100.0 * k * t) / k for k in range(1, 5))
    out = 0.5 * hum + 0.5 * bandpass(colored_noise(rng, n, 1.0), None, 2000.0, rate)
    tt = np.arange(int(0.15 * rate)) / rate
    for onset in poisson_onsets(rng, n / rate, 0.3):
        ping = np.sin(2 * np.pi * rng.uniform(2500, 4500) * tt) * np.exp(-tt / 0.03)
        add_at(out, int(onset * rate), 1.5 * ping)
    return out


def ambience_park(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Park: light wind and far traffic."""
    return ambience_wind(rng, n, rate) + 0.5 * ambience_traffic(rng, n, rate)


def ambience_station(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Station hall: rumble and murmur in a long reverb."""
    rumble = bandpass(colored_noise(rng, n, 1.8), 30.0, 1500.0, rate)
    return reverb(rumble, rng, rate, rt60=1.6, wet=0.6)


# ---------------------------------------------------------------------------- music
def music(rng: np.random.Generator, n: int, rate: int) -> np.ndarray:
    """Background music: a I-V-vi-IV chord pad plus a bell-like melody in a random key."""
    t = time_axis(n, rate)
    key = 57 + int(rng.integers(0, 8))  # MIDI root
    chords = [(0, 4, 7), (7, 11, 14), (9, 12, 16), (5, 9, 12)]
    chord_len = rng.uniform(1.2, 2.0)
    chord_idx = (t / chord_len).astype(int) % len(chords)
    pad = np.zeros(n)
    for c, chord in enumerate(chords):
        sel = chord_idx == c
        for step in chord:
            f = 440.0 * 2 ** ((key - 12 + step - 69) / 12)
            pad[sel] += np.sin(2 * np.pi * f * t[sel]) + 0.3 * np.sin(4 * np.pi * f * t[sel])
    pad = bandpass(pad, None, 2000.0, rate)
    melody = np.zeros(n)
    length = int(0.6 * rate)
    for onset in np.arange(rng.uniform(0, 0.3), n / rate, 60.0 / rng.uniform(100, 140)):
        step = rng.choice([0, 2, 4, 7, 9, 12])
        f = 440.0 * 2 ** ((key + step - 69) / 12)
        freqs, amps = np.array([f, 2 * f, 3 * f]), np.array([1.0, 0.4, 0.2])
        add_at(
            melody,
            int(onset * rate),
            decaying_partials(freqs, amps, np.full(3, 0.25), length, rate),
        )
    return normalise_active(pad, rate) + 0.8 * normalise_active(melody, rate)
