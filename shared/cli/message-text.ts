// What a person sees of a rendered payload: chat messages as the service shows them (Slack
// blocks, Lark cards, DingTalk and WeCom markdown as plain text), tickets as their title and
// body, everything else (webhook bodies, cloud events, file lines) as pretty JSON.
import { width } from './table';

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const underline = (title: string) => '═'.repeat(Math.min(60, width(title)));

export type PayloadKind = 'chat' | 'ticket' | 'webhook' | 'cloud' | 'local';

const KINDS: Record<string, PayloadKind> = {
  slack: 'chat',
  dingtalk: 'chat',
  lark: 'chat',
  wecom: 'chat',
  pagerduty: 'ticket',
  jira: 'ticket',
  servicenow: 'ticket',
  webhook: 'webhook',
  console: 'local',
  file: 'local',
};

export function payloadKind(type: string): PayloadKind {
  return KINDS[type] ?? 'cloud';
}

const decodeEntities = (text: string) => text.replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');

/** Slack mrkdwn: `*bold*`, `_italic_`, `~strike~`, `<url|label>`. */
function slackText(text: string): string {
  return decodeEntities(
    text
      .replace(/<([^|>]+)\|([^>]+)>/g, '$2 ($1)')
      .replace(/<([^>]+)>/g, '$1')
      .replace(/(^|[\s(])[*_~]([^*_~\n]+)[*_~](?=$|[\s).,:;!?])/gm, '$1$2'),
  );
}

/** DingTalk, WeCom and Lark markdown: headings, bold, quotes, links, `<font>`. */
function markdownText(text: string): string {
  return decodeEntities(
    text
      .replace(/<\/?font[^>]*>/g, '')
      .replace(/^#{1,6}\s+/gm, '')
      .replace(/^>\s?/gm, '│ ')
      .replace(/\*\*([^*]+)\*\*/g, '$1')
      .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '$1 ($2)'),
  );
}

function slackMessage(payload: Json): string {
  const blocks = list(payload.blocks);
  if (blocks.length === 0) return slackText(str(payload.text));
  const lines: string[] = [];
  for (const block of blocks.map(obj)) {
    const text = str(obj(block.text).text);
    if (block.type === 'header') lines.push(text, underline(text));
    else if (block.type === 'divider') lines.push('────────');
    else if (block.type === 'context') lines.push(list(block.elements).map((e) => slackText(str(obj(e).text))).join('  ·  '));
    else if (block.type === 'actions') lines.push(list(block.elements).map((e) => `[ ${str(obj(obj(e).text).text)} ] ${str(obj(e).url)}`).join('  '));
    else {
      if (text) lines.push(slackText(text));
      for (const field of list(block.fields)) lines.push(slackText(str(obj(field).text)).replace('\n', ': '));
    }
    lines.push('');
  }
  return lines.join('\n').trim();
}

function larkMessage(payload: Json): string {
  const card = obj(payload.card);
  const title = str(obj(obj(card.header).title).content);
  const lines = title ? [title, underline(title)] : [];
  for (const element of list(card.elements).map(obj)) {
    if (element.tag === 'hr') lines.push('────────');
    else if (element.tag === 'note') lines.push(list(element.elements).map((e) => markdownText(str(obj(e).content))).join('  ·  '));
    else if (element.tag === 'action') lines.push(list(element.actions).map((a) => `[ ${str(obj(obj(a).text).content)} ] ${str(obj(a).url)}`).join('  '));
    else {
      const text = str(obj(element.text).content);
      if (text) lines.push(markdownText(text));
      for (const field of list(element.fields)) lines.push(markdownText(str(obj(obj(field).text).content)).replace('\n', ': '));
    }
    lines.push('');
  }
  return lines.join('\n').trim();
}

function markdownMessage(payload: Json): string {
  const markdown = obj(payload.markdown);
  return markdownText(str(markdown.text) || str(markdown.content)).trim();
}

/** Jira's description and comments are Atlassian Document Format: paragraphs of text runs. */
function adfText(node: unknown): string {
  const n = obj(node);
  if (n.type === 'text') return str(n.text);
  if (n.type === 'hardBreak') return '\n';
  const inner = list(n.content).map(adfText);
  return n.type === 'doc' ? inner.join('\n\n') : inner.join(n.type === 'bulletList' || n.type === 'orderedList' ? '\n' : '');
}

function ticketMessage(type: string, payload: Json): string {
  const action = str(payload.action);
  const head = `(${action || 'send'})`;
  if (type === 'jira') {
    const fields = obj(obj(payload.create).fields);
    if (action === 'open') return [`${head} ${str(fields.summary)}`, '', adfText(fields.description)].join('\n').trim();
    if (payload.comment) return [`${head} comment on the issue labelled ${str(payload.label)}:`, '', adfText(obj(payload.comment).body)].join('\n').trim();
  }
  if (type === 'servicenow') {
    const record = obj(payload.create ?? payload.update);
    if (record.short_description) return [`${head} ${str(record.short_description)}`, '', str(record.description)].join('\n').trim();
    if (record.work_notes || record.close_notes) return [`${head} incident ${str(payload.correlationId)}:`, '', str(record.work_notes || record.close_notes)].join('\n').trim();
  }
  if (type === 'pagerduty') {
    const body = obj(payload.body);
    const event = obj(body.payload);
    if (event.summary) return `${head} ${str(body.event_action)} ${str(event.severity)}: ${str(event.summary)}\nsource: ${str(event.source)}\ndedup_key: ${str(body.dedup_key)}`;
    if (body.event_action) return `${head} ${str(body.event_action)} dedup_key ${str(body.dedup_key)}`;
  }
  if (payload.detail) return `${head} ${str(payload.detail)}`;
  return JSON.stringify(payload, null, 2);
}

/** The payload a target of `type` sends, as a person would read it. */
export function messageText(type: string, payload: unknown): string {
  if (typeof payload === 'string') return payload;
  const kind = payloadKind(type);
  const p = obj(payload);
  if (kind === 'chat') {
    if (type === 'slack') return slackMessage(p);
    if (type === 'lark') return larkMessage(p);
    return markdownMessage(p);
  }
  if (kind === 'ticket') return ticketMessage(type, p);
  return JSON.stringify(payload, null, 2);
}
