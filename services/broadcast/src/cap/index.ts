// CAP 1.2 (Common Alerting Protocol) alerts: parsing and validation of the XML documents regional
// civil protection publishes.
export { parseCapAlert, type CapAlert, type CapInfo, type CapMsgType } from './cap-parser.js'
export { MAX_DOCUMENT_BYTES as MAX_CAP_DOCUMENT_BYTES } from './xml-document.js'
