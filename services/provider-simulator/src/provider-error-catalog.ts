/*
 * The errors the simulated providers answer with, in their real shapes: Graph API
 * `{ error: { message, type, code, error_data, fbtrace_id } }` and Twilio `{ code, message,
 * more_info, status }`. Titles and details follow the providers' error code references.
 */

interface GraphErrorSpec {
  readonly httpStatus: number
  readonly title: string
  readonly details: string
  readonly type?: string
  /** `error_subcode`, for the codes Meta sends one with. */
  readonly subcode?: number
}

const GRAPH_ERRORS: Readonly<Record<number, GraphErrorSpec>> = {
  100: { httpStatus: 400, title: 'Invalid parameter', details: 'Invalid parameter' },
  190: { httpStatus: 401, title: 'Invalid OAuth access token - Cannot parse access token', details: '', type: 'OAuthException' },
  10: { httpStatus: 403, title: 'Application does not have permission for this action', details: 'Permission denied' },
  80007: { httpStatus: 400, title: 'Rate limit issues', details: 'The WhatsApp Business Account has reached its rate limit.' },
  130429: {
    httpStatus: 400,
    title: 'Rate limit hit',
    details: 'Message failed to send because there were too many messages sent from this phone number in a short period of time.',
  },
  131000: { httpStatus: 500, title: 'Something went wrong', details: 'Message failed to send due to an unknown error.' },
  131008: { httpStatus: 400, title: 'Required parameter is missing', details: 'The request is missing a required parameter.' },
  131009: { httpStatus: 400, title: 'Parameter value is not valid', details: 'One or more parameter values are invalid.' },
  131016: { httpStatus: 503, title: 'Service unavailable', details: 'A service is temporarily unavailable.' },
  131026: { httpStatus: 400, title: 'Message undeliverable', details: 'Unable to deliver message.' },
  131030: {
    httpStatus: 400,
    title: 'Recipient phone number not in allowed list',
    details: 'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.',
    subcode: 2655007,
  },
  131047: {
    httpStatus: 400,
    title: 'Re-engagement message',
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  131050: {
    httpStatus: 400,
    title: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
    details: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
  },
  131056: {
    httpStatus: 400,
    title: '(Business Account, Consumer Account) pair rate limit hit',
    details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
  },
  132000: {
    httpStatus: 400,
    title: 'Number of parameters does not match the expected number of params',
    details: 'body: number of localizable_params (1) does not match the expected number of params (2)',
  },
  132001: { httpStatus: 404, title: 'Template name does not exist in the translation', details: 'template name does not exist in the translation' },
  132015: { httpStatus: 400, title: 'Template is Paused', details: 'Template is paused due to low quality so it cannot be sent in a template message.' },
  132016: {
    httpStatus: 400,
    title: 'Template is disabled',
    details: 'Template has been paused too many times due to low quality and is now permanently disabled.',
  },
}

export interface GraphErrorResponse {
  readonly status: number
  readonly body: {
    error: {
      message: string
      type: string
      code: number
      error_data?: { messaging_product: 'whatsapp'; details: string }
      error_subcode?: number
      fbtrace_id: string
    }
  }
}

const traceId = () => `A${Math.random().toString(36).slice(2, 12)}${Math.random().toString(36).slice(2, 12)}`

export function graphError(code: number, overrides: { httpStatus?: number; details?: string } = {}): GraphErrorResponse {
  const spec = GRAPH_ERRORS[code] ?? { httpStatus: 400, title: 'Error', details: `Error ${code}` }
  const details = overrides.details ?? spec.details
  return {
    status: overrides.httpStatus ?? spec.httpStatus,
    body: {
      error: {
        message: spec.type === 'OAuthException' && code === 190 ? spec.title : `(#${code}) ${spec.title}`,
        type: spec.type ?? 'OAuthException',
        code,
        ...(details ? { error_data: { messaging_product: 'whatsapp' as const, details } } : {}),
        ...(spec.subcode !== undefined ? { error_subcode: spec.subcode } : {}),
        fbtrace_id: traceId(),
      },
    },
  }
}

/** The Graph API's answer for an id that is not a phone number this token may use. */
export function graphUnknownObject(id: string, method: 'get' | 'post' = 'post'): GraphErrorResponse {
  return {
    status: 400,
    body: {
      error: {
        message: `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
        type: 'GraphMethodException',
        code: 100,
        error_subcode: 33,
        fbtrace_id: traceId(),
      },
    },
  }
}

/** Title and details of a Cloud API code, for failed status webhooks. */
export function whatsAppErrorText(code: number): { title: string; details: string } {
  const spec = GRAPH_ERRORS[code]
  return spec ? { title: spec.title, details: spec.details || spec.title } : { title: `Error ${code}`, details: `Error ${code}` }
}

const TWILIO_ERRORS: Readonly<Record<number, { status: number; message: string }>> = {
  20003: { status: 401, message: 'Authentication Error - invalid username' },
  20429: { status: 429, message: 'Too Many Requests' },
  20500: { status: 500, message: 'An internal server error has occurred' },
  20503: { status: 503, message: 'Service unavailable' },
  21211: { status: 400, message: "The 'To' number is not a valid phone number." },
  21602: { status: 400, message: 'Message body is required.' },
  21604: { status: 400, message: "A 'To' phone number is required." },
  21606: { status: 400, message: "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account." },
  21610: { status: 400, message: 'Attempt to send to unsubscribed recipient' },
  21612: { status: 400, message: "The 'To' phone number is not currently reachable using the 'From' phone number via SMS." },
  21614: { status: 400, message: "'To' number is not a valid mobile number" },
}

export interface TwilioErrorResponse {
  readonly status: number
  readonly body: { code: number; message: string; more_info: string; status: number; detail?: string }
}

export function twilioError(code: number, overrides: { httpStatus?: number; message?: string } = {}): TwilioErrorResponse {
  const spec = TWILIO_ERRORS[code] ?? { status: 400, message: `Error ${code}` }
  const status = overrides.httpStatus ?? spec.status
  return {
    status,
    body: {
      code,
      message: overrides.message ?? spec.message,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status,
      ...(code === 20003 ? { detail: 'Your AccountSid or AuthToken was incorrect.' } : {}),
    },
  }
}
