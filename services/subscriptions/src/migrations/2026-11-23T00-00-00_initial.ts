import { sql, type Migration } from 'kysely'

// Raw SQL: the checks, the array operators and the ledger's guard trigger read best as SQL.
// The schema name is fixed (SCHEMA in index.ts); tables are qualified with it.
export const initialSchema: Migration = {
  async up(db) {
    await sql`
      create table subscriptions.subscriber (
        id uuid primary key default gen_random_uuid(),
        tenant text not null,
        phone text not null,
        phone_hash text not null,
        name text,
        language text not null,
        channel text not null check (channel in ('whatsapp', 'sms')),
        status text not null check (status in ('active', 'inactive')),
        topics text[] not null default '{}',
        subscribed_at timestamptz,
        unsubscribed_at timestamptz,
        channel_stopped_at timestamptz,
        channel_stopped_code text,
        blocked_at timestamptz,
        blocked_reason text,
        blocked_by text,
        last_inbound_at timestamptz,
        last_inbound_channel text,
        last_auto_reply_at timestamptz,
        change_seq integer not null default 0,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (tenant, phone)
      );
      create index subscriber_audience on subscriptions.subscriber (tenant, status, id);
      create index subscriber_topics on subscriptions.subscriber using gin (topics);

      create table subscriptions.consent_ledger (
        id bigserial primary key,
        tenant text not null,
        subscriber_id uuid not null,
        phone text,
        phone_hash text not null,
        event text not null check (event in ('signup-requested', 'subscribed', 'unsubscribed')),
        door text not null check (door in ('whatsapp', 'sms', 'web', 'paper', 'staff', 'provider')),
        delivery_channel text check (delivery_channel in ('whatsapp', 'sms')),
        evidence_text text,
        evidence_form jsonb,
        language text not null,
        policy_version text,
        inbound_message_id text,
        confirmation_message_id text,
        actor text not null,
        reason text,
        occurred_at timestamptz not null,
        recorded_at timestamptz not null default now(),
        redacted_at timestamptz,
        redaction text check (redaction in ('retention', 'erasure')),
        -- A consent names the notice accepted; a withdrawal need not.
        check (event <> 'subscribed' or policy_version is not null)
      );
      create index consent_ledger_subject on subscriptions.consent_ledger (tenant, phone_hash, id);
      create index consent_ledger_subscriber on subscriptions.consent_ledger (subscriber_id, id);

      -- Append-only: the only permitted UPDATE is a redaction (retention or erasure) that clears
      -- personal columns, inside a transaction that set banditore.consent_redaction = 'on'.
      create function subscriptions.consent_ledger_guard() returns trigger language plpgsql as $$
      begin
        if tg_op <> 'UPDATE' then
          raise exception 'consent_ledger is append-only: % refused', tg_op using errcode = 'P0001';
        end if;
        if coalesce(current_setting('banditore.consent_redaction', true), '') <> 'on' then
          raise exception 'consent_ledger is append-only: UPDATE refused outside a redaction' using errcode = 'P0001';
        end if;
        if (new.id, new.tenant, new.subscriber_id, new.phone_hash, new.event, new.door, new.delivery_channel,
            new.language, new.policy_version, new.inbound_message_id, new.confirmation_message_id, new.actor,
            new.reason, new.occurred_at, new.recorded_at)
           is distinct from
           (old.id, old.tenant, old.subscriber_id, old.phone_hash, old.event, old.door, old.delivery_channel,
            old.language, old.policy_version, old.inbound_message_id, old.confirmation_message_id, old.actor,
            old.reason, old.occurred_at, old.recorded_at) then
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
      create trigger consent_ledger_append_only
        before update or delete on subscriptions.consent_ledger
        for each row execute function subscriptions.consent_ledger_guard();
      create trigger consent_ledger_no_truncate
        before truncate on subscriptions.consent_ledger
        for each statement execute function subscriptions.consent_ledger_guard();

      create table subscriptions.pending_confirmation (
        id uuid primary key default gen_random_uuid(),
        tenant text not null,
        phone text not null,
        language text not null,
        name text,
        topics text[],
        delivery_channel text not null check (delivery_channel in ('whatsapp', 'sms')),
        door text not null check (door in ('web', 'paper')),
        form jsonb not null,
        policy_version text not null,
        inbound_message_id text not null unique,
        request_reply_id text not null,
        requested_at timestamptz not null,
        expires_at timestamptz not null,
        confirmed_at timestamptz
      );
      create index pending_confirmation_citizen on subscriptions.pending_confirmation (tenant, phone, expires_at);

      create table subscriptions.desk_message (
        id uuid primary key default gen_random_uuid(),
        tenant text not null,
        subscriber_id uuid not null,
        phone text not null,
        inbound_message_id text not null unique,
        channel text not null check (channel in ('whatsapp', 'sms')),
        language text not null,
        text text,
        media jsonb not null default '[]',
        moderation text not null,
        received_at timestamptz not null,
        status text not null check (status in ('open', 'answered')),
        answered_at timestamptz,
        answered_by text,
        answer_text text,
        answer_reply_id text,
        redacted_at timestamptz
      );
      create index desk_message_queue on subscriptions.desk_message (tenant, status, received_at);

      create table subscriptions.outbox (
        id bigserial primary key,
        tenant text not null,
        phone text not null,
        subject text not null,
        msg_id text not null,
        payload jsonb not null,
        created_at timestamptz not null
      );

      create table subscriptions.processed_message (
        message_id text primary key,
        tenant text not null,
        processed_at timestamptz not null
      );
      create index processed_message_age on subscriptions.processed_message (processed_at);

      create table subscriptions.audience_snapshot (
        tenant text not null,
        snapshot_id text not null,
        filters text not null,
        total integer not null,
        created_at timestamptz not null,
        primary key (tenant, snapshot_id)
      );
      create table subscriptions.audience_snapshot_member (
        tenant text not null,
        snapshot_id text not null,
        position integer not null,
        subscriber_id uuid not null,
        channel text not null,
        language text not null,
        primary key (tenant, snapshot_id, position),
        foreign key (tenant, snapshot_id) references subscriptions.audience_snapshot on delete cascade
      );
      create index audience_snapshot_member_subscriber on subscriptions.audience_snapshot_member (subscriber_id);
    `.execute(db)
  },
  async down(db) {
    await sql`
      drop table if exists subscriptions.audience_snapshot_member, subscriptions.audience_snapshot,
        subscriptions.processed_message, subscriptions.outbox, subscriptions.desk_message,
        subscriptions.pending_confirmation, subscriptions.consent_ledger, subscriptions.subscriber;
      drop function if exists subscriptions.consent_ledger_guard();
    `.execute(db)
  },
}
