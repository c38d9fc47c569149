/**
 * The simulator posts eval results with the collector's own schema; it lives in
 * shared/protocol/evals.ts so both sides use one definition.
 */
export { EvalResult, type EvalResultInput } from '../protocol/evals.js';
