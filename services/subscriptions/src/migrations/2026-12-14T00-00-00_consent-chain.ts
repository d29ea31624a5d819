import { sql, type Migration } from 'kysely'

// The consent ledger becomes a hash chain per tenant (privacy/consent-chain.ts), the audit
// trails become append-only.
// - consent_ledger gains its chain columns and the provider's proof (webhook body hash and
//   signature); consent_chain_head holds each tenant's last link and is what appends lock.
// - Rows that exist before this migration are chained by the service at start (the evidence
//   digest is keyed with SUBSCRIBER_HASH_KEY, which migrations do not have), in id order, under
//   the same lock; until then the verifier reports them as unchained.
// - The guard trigger is replaced: besides a redaction (unchanged), the only UPDATE it lets
//   through is filling an unchained row's chain columns, once, inside a transaction that set
//   banditore.consent_chaining = 'on'. Chain columns are immutable afterwards.
// - staff_audit and desk_audit refuse UPDATE, DELETE and TRUNCATE.
// Triggers bind every role except a superuser who disables them; a deployment also gives the
// services a role that owns nothing (see README, "Privacy"), so that only the owner can.
export const consentChain: Migration = {
  async up(db) {
    await sql`
      alter table subscriptions.consent_ledger
        add column chain_seq bigint,
        add column prev_hash text,
        add column hash text,
        add column evidence_digest text,
        add column webhook_body_sha256 text check (webhook_body_sha256 ~ '^[0-9a-f]{64}$'),
        add column webhook_signature text;
      create unique index consent_ledger_chain on subscriptions.consent_ledger (tenant, chain_seq);

      create table subscriptions.consent_chain_head (
        tenant text primary key,
        seq bigint not null,
        hash text not null,
        updated_at timestamptz not null
      );

      create or replace function subscriptions.consent_ledger_guard() returns trigger language plpgsql as $$
      begin
        if tg_op <> 'UPDATE' then
          raise exception 'consent_ledger is append-only: % refused', tg_op using errcode = 'P0001';
        end if;
        if (new.id, new.tenant, new.subscriber_id, new.phone_hash, new.event, new.door, new.delivery_channel,
            new.language, new.policy_version, new.inbound_message_id, new.confirmation_message_id, new.actor,
            new.reason, new.occurred_at, new.recorded_at, new.webhook_body_sha256, new.webhook_signature)
           is distinct from
           (old.id, old.tenant, old.subscriber_id, old.phone_hash, old.event, old.door, old.delivery_channel,
            old.language, old.policy_version, old.inbound_message_id, old.confirmation_message_id, old.actor,
            old.reason, old.occurred_at, old.recorded_at, old.webhook_body_sha256, old.webhook_signature) then
          raise exception 'consent_ledger is append-only: UPDATE may only clear personal columns' using errcode = 'P0001';
        end if;
        -- Chaining a row recorded before the chain existed: its chain columns, once.
        if coalesce(current_setting('banditore.consent_chaining', true), '') = 'on' and old.hash is null then
          if (new.phone, new.evidence_text, new.evidence_form, new.redacted_at, new.redaction)
             is distinct from (old.phone, old.evidence_text, old.evidence_form, old.redacted_at, old.redaction)
             or new.hash is null or new.prev_hash is null or new.chain_seq is null then
            raise exception 'consent_ledger chaining may only fill the chain columns' using errcode = 'P0001';
          end if;
          return new;
        end if;
        if coalesce(current_setting('banditore.consent_redaction', true), '') <> 'on' then
          raise exception 'consent_ledger is append-only: UPDATE refused outside a redaction' using errcode = 'P0001';
        end if;
        if (new.chain_seq, new.prev_hash, new.hash, new.evidence_digest)
           is distinct from (old.chain_seq, old.prev_hash, old.hash, old.evidence_digest) then
          raise exception 'consent_ledger redaction may only clear personal columns' using errcode = 'P0001';
        end if;
        if (new.phone is not null and new.phone is distinct from old.phone)
           or (new.evidence_text is not null and new.evidence_text is distinct from old.evidence_text)
           or (new.evidence_form is not null and new.evidence_form is distinct from old.evidence_form) then
          raise exception 'consent_ledger redaction may only clear personal columns' using errcode = 'P0001';
        end if;
        if new.redacted_at is null or new.redaction is null then
          raise exception 'consent_ledger redaction must record when and why' using errcode = 'P0001';
        end if;
        return new;
      end
      $$;

      create function subscriptions.audit_append_only() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'P0001';
      end
      $$;
      create trigger staff_audit_append_only before update or delete on subscriptions.staff_audit
        for each row execute function subscriptions.audit_append_only();
      create trigger staff_audit_no_truncate before truncate on subscriptions.staff_audit
        for each statement execute function subscriptions.audit_append_only();
      create trigger desk_audit_append_only before update or delete on subscriptions.desk_audit
        for each row execute function subscriptions.audit_append_only();
      create trigger desk_audit_no_truncate before truncate on subscriptions.desk_audit
        for each statement execute function subscriptions.audit_append_only();
    `.execute(db)
  },
  async down(db) {
    await sql`
      drop trigger if exists staff_audit_append_only on subscriptions.staff_audit;
      drop trigger if exists staff_audit_no_truncate on subscriptions.staff_audit;
      drop trigger if exists desk_audit_append_only on subscriptions.desk_audit;
      drop trigger if exists desk_audit_no_truncate on subscriptions.desk_audit;
      drop function if exists subscriptions.audit_append_only();
      drop table if exists subscriptions.consent_chain_head;
    `.execute(db)
    // The ledger keeps its chain columns: the guard reads them, and a proof is never dropped.
  },
}
