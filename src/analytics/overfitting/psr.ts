// Sharpe-ratio inference under non-normal returns: Probabilistic Sharpe Ratio, Minimum Track Record
// Length, the expected maximum Sharpe ratio of N trials and the Deflated Sharpe Ratio.
//
// Conventions (as in the papers): every Sharpe ratio here is PER BAR (not annualized): SR = mean(R) /
// std(R) in the returns' own sampling frequency. γ3 is the skewness and γ4 the RAW kurtosis (3 for
// normal returns, not the excess kurtosis 0). To use annualized inputs divide SR by √P and a Sharpe
// variance by P (see toPerBarSharpe).
//
// Sources (equation numbers are not quoted: the stored copies of the papers could not be read past
// their first page; formulas are as the papers and López de Prado, AFML 2018 §14.7, state them):
//  [BLdP 2012] D. H. Bailey, M. López de Prado, "The Sharpe Ratio Efficient Frontier",
//              Journal of Risk 15(2), 2012 (SSRN 1821643).
//  [BLdP 2014] D. H. Bailey, M. López de Prado, "The Deflated Sharpe Ratio: Correcting for Selection
//              Bias, Backtest Overfitting and Non-Normality", Journal of Portfolio Management 40(5), 2014.
import { InputError } from '../../errors.ts';
import { normalCdf, normalQuantile } from './normal.ts';

/** The Euler–Mascheroni constant γ. */
export const EULER_MASCHERONI = 0.5772156649015329;

/** Default confidence of the minimum track record length (95 %). */
export const DEFAULT_TRACK_RECORD_PROBABILITY = 0.95;

/** Inputs shared by PSR and MinTRL: the observed per-bar Sharpe ratio and the return moments. */
export interface SharpeObservation {
  /** Observed Sharpe ratio SR, per bar (not annualized). */
  sharpe: number;
  /** Benchmark Sharpe ratio SR*, per bar; default 0. */
  benchmarkSharpe?: number;
  /** Skewness γ3 of the returns (m3 / m2^{3/2}); default 0. */
  skewness?: number;
  /** RAW kurtosis γ4 of the returns (m4 / m2², 3 for normal returns); default 3. */
  kurtosis?: number;
}

/** PSR inputs: a SharpeObservation plus the number of returns it was measured on. */
export interface PsrInputs extends SharpeObservation {
  /** Number of returns n (track record length, in bars); > 1. */
  observations: number;
}

/** MinTRL inputs: a SharpeObservation plus the confidence level. */
export interface MinTrlInputs extends SharpeObservation {
  /** Confidence 1 − α in (0, 1); default 0.95. */
  probability?: number;
}

/** Expected-maximum-Sharpe inputs. */
export interface ExpectedMaximumSharpeInputs {
  /** Number of (independent) trials N ≥ 1; may be fractional (an effective number of trials). */
  trials: number;
  /** Variance V[SR_n] of the trials' per-bar Sharpe ratios (≥ 0). */
  sharpeVariance: number;
}

/** DSR inputs: the selected strategy's PsrInputs (no benchmark) plus the trials. */
export interface DsrInputs extends Omit<PsrInputs, 'benchmarkSharpe'>, ExpectedMaximumSharpeInputs {}

function finiteOrThrow(name: string, value: number): number {
  if (!Number.isFinite(value)) throw new InputError(`${name} must be a finite number, got ${value}`);
  return value;
}

/**
 * The variance factor of the Sharpe-ratio estimator under non-normal IID returns:
 *
 *   D(SR) = 1 − γ3·SR + (γ4 − 1)/4 · SR²
 *
 * so that the asymptotic variance of the estimator is D/(n − 1) ([BLdP 2012], the
 * Mertens 2002 variance of the estimator; for normal returns D = 1 + SR²/2, Lo 2002). Throws InputError when D ≤ 0, which only
 * happens for moments no distribution has (γ4 < 1 + γ3²) or extreme SR.
 */
export function sharpeVarianceFactor(sharpe: number, skewness = 0, kurtosis = 3): number {
  const factor = 1 - skewness * sharpe + ((kurtosis - 1) / 4) * sharpe * sharpe;
  if (!(factor > 0)) {
    throw new InputError(`the Sharpe-ratio variance factor 1 - skew*SR + (kurtosis-1)/4*SR^2 is ${factor} (must be > 0) for SR ${sharpe}, skewness ${skewness}, kurtosis ${kurtosis}; is the kurtosis raw (3 for normal returns)?`);
  }
  return factor;
}

/**
 * Probabilistic Sharpe Ratio: the probability that the true Sharpe ratio exceeds SR*, given SR
 * measured on n returns with skewness γ3 and raw kurtosis γ4 ([BLdP 2012], definition of PSR):
 *
 *   PSR(SR*) = Φ( (SR − SR*)·√(n − 1) / √(1 − γ3·SR + (γ4 − 1)/4·SR²) )
 *
 * @returns a probability in [0, 1]. Throws InputError for n ≤ 1, non-finite inputs or a
 *   non-positive variance factor.
 */
export function probabilisticSharpeRatio(inputs: PsrInputs): number {
  return normalCdf(psrStatistic(inputs));
}

/**
 * The z-statistic inside the PSR, (SR − SR*)·√(n − 1) / √(1 − γ3·SR + (γ4 − 1)/4·SR²): PSR = Φ(z).
 * Monotone in the PSR but does not saturate at 1, so it also orders strategies whose PSR rounds to 1.
 */
export function psrStatistic(inputs: PsrInputs): number {
  const sharpe = finiteOrThrow('sharpe', inputs.sharpe);
  const benchmark = finiteOrThrow('benchmarkSharpe', inputs.benchmarkSharpe ?? 0);
  const n = finiteOrThrow('observations', inputs.observations);
  if (!(n > 1)) throw new InputError(`observations must be > 1, got ${n}`);
  const factor = sharpeVarianceFactor(sharpe, finiteOrThrow('skewness', inputs.skewness ?? 0), finiteOrThrow('kurtosis', inputs.kurtosis ?? 3));
  return ((sharpe - benchmark) * Math.sqrt(n - 1)) / Math.sqrt(factor);
}

/**
 * Minimum Track Record Length: the number of returns needed for PSR(SR*) to reach the confidence
 * 1 − α ([BLdP 2012], the MinTRL formula, obtained by solving PSR = 1 − α for n):
 *
 *   MinTRL = 1 + (1 − γ3·SR + (γ4 − 1)/4·SR²) · ( Z_{1−α} / (SR − SR*) )²
 *
 * with Z_{1−α} = Φ⁻¹(probability). By construction PSR(SR*) with n = MinTRL equals `probability`.
 *
 * @returns a length in bars (not rounded); +Infinity when SR ≤ SR* (no track record suffices).
 */
export function minimumTrackRecordLength(inputs: MinTrlInputs): number {
  const sharpe = finiteOrThrow('sharpe', inputs.sharpe);
  const benchmark = finiteOrThrow('benchmarkSharpe', inputs.benchmarkSharpe ?? 0);
  const probability = inputs.probability ?? DEFAULT_TRACK_RECORD_PROBABILITY;
  if (!(probability > 0 && probability < 1)) throw new InputError(`probability must be in (0, 1), got ${probability}`);
  const factor = sharpeVarianceFactor(sharpe, finiteOrThrow('skewness', inputs.skewness ?? 0), finiteOrThrow('kurtosis', inputs.kurtosis ?? 3));
  if (sharpe <= benchmark) return Infinity;
  const z = normalQuantile(probability);
  return 1 + factor * (z / (sharpe - benchmark)) ** 2;
}

/**
 * Expected maximum of N trials' Sharpe ratios under the null of no skill (true SR = 0), the DSR's
 * benchmark ([BLdP 2014], the expected maximum of N IID normal Sharpe estimates; Bailey, Borwein,
 * López de Prado & Zhu 2014, "Pseudo-Mathematics and Financial Charlatanism"):
 *
 *   SR0 = √V[SR_n] · ( (1 − γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e)) )
 *
 * with γ the Euler–Mascheroni constant and e Euler's number. The approximation is for N ≫ 1; for
 * N = 1 (no selection) SR0 = 0, and since the expected maximum of N ≥ 1 zero-mean normals is never
 * negative, the result is max(0, ·) (the formula dips below 0 only for 1 < N < 1.3, which an
 * effective number of trials can produce).
 *
 * @returns SR0 per bar (same unit as the variance's square root).
 */
export function expectedMaximumSharpe(inputs: ExpectedMaximumSharpeInputs): number {
  const trials = finiteOrThrow('trials', inputs.trials);
  const variance = finiteOrThrow('sharpeVariance', inputs.sharpeVariance);
  if (!(trials >= 1)) throw new InputError(`trials must be >= 1, got ${trials}`);
  if (!(variance >= 0)) throw new InputError(`sharpeVariance must be >= 0, got ${variance}`);
  if (trials === 1) return 0;
  const maxZ = (1 - EULER_MASCHERONI) * normalQuantile(1 - 1 / trials)
    + EULER_MASCHERONI * normalQuantile(1 - 1 / (trials * Math.E));
  return Math.max(0, Math.sqrt(variance) * maxZ);
}

/**
 * Deflated Sharpe Ratio: the PSR of the selected strategy against the expected maximum Sharpe
 * ratio SR0 of N unskilled trials ([BLdP 2014], definition of DSR):
 *
 *   DSR = PSR(SR0) = Φ( (SR − SR0)·√(n − 1) / √(1 − γ3·SR + (γ4 − 1)/4·SR²) )
 *
 * with SR the selected strategy's per-bar Sharpe ratio, n its number of returns, γ3/γ4 its
 * skewness and raw kurtosis, and SR0 from expectedMaximumSharpe(trials, sharpeVariance).
 *
 * @returns a probability in [0, 1].
 */
export function deflatedSharpeRatio(inputs: DsrInputs): number {
  const benchmarkSharpe = expectedMaximumSharpe(inputs);
  return probabilisticSharpeRatio({ ...inputs, benchmarkSharpe });
}

/**
 * Converts an annualized Sharpe ratio to per bar: SR_bar = SR_annual / √P.
 * @param periodsPerYear P, bars per year (> 0)
 */
export function toPerBarSharpe(annualSharpe: number, periodsPerYear: number): number {
  return annualSharpe / Math.sqrt(periodsPerYear);
}

/**
 * Converts the variance of annualized Sharpe ratios to per bar: V_bar = V_annual / P
 * (SR_annual = √P·SR_bar, so variances scale by P).
 */
export function toPerBarSharpeVariance(annualSharpeVariance: number, periodsPerYear: number): number {
  return annualSharpeVariance / periodsPerYear;
}
