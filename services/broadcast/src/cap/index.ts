export { CAP_MAX_BYTES, CAP_NAMESPACE, parseCapAlert, type CapAlert, type CapArea, type CapInfo, type CapMsgType, type CapParseResult } from './cap-parser.js'
