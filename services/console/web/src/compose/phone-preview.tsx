import { LANGUAGE } from '../labels'

/** How the message looks on a phone, per language (WhatsApp bubble or SMS). */
export function PhonePreview({ language, text, channel, mediaUrl }: { language: string; text: string; channel: 'whatsapp' | 'sms'; mediaUrl?: string }) {
  return (
    <figure className="mb-3">
      <figcaption className="small fw-bold mb-1">
        Anteprima {channel === 'whatsapp' ? 'WhatsApp' : 'SMS'} – {LANGUAGE[language] ?? language}
      </figcaption>
      <div className="phone-preview">
        <div className="phone-bubble" lang={language}>
          {mediaUrl && channel === 'whatsapp' ? <div className="small fst-italic mb-2">[allegato: {mediaUrl}]</div> : null}
          {text || <span className="fst-italic">(testo vuoto)</span>}
        </div>
      </div>
    </figure>
  )
}
