/** The one error body shape of every Warden response that is not 2xx. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  reason_codes?: string[];
  details?: unknown;
  error_id?: string;
}
