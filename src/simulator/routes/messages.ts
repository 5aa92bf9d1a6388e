// The message centre: share notifications per user, marked read or deleted.
import { GizwitsApiError, formInvalid } from '../errors';
import type { RequestContext } from '../http/router';
import { utcText } from '../model/ids';
import { metaPage, pageOf, queryInteger } from './fields';

export function listMessages(context: RequestContext) {
  const type = queryInteger(context.query, 'type');
  const page = pageOf(context.query);
  const rows = [...context.model.messages.values()]
    .filter((message) => message.uid === context.uid && message.status !== 2)
    .filter((message) => type === undefined || message.type === type)
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
    .map((message) => ({
      status: message.status,
      created_at: utcText(message.createdAt),
      updated_at: utcText(message.updatedAt),
      content: message.content,
      type: message.type,
      id: message.id,
    }));
  return metaPage(context, rows, page);
}

export function markMessage(context: RequestContext) {
  const message = context.model.messages.get(context.params.id);
  if (!message || message.status === 2) throw new GizwitsApiError(9085);
  if (message.uid !== context.uid) throw new GizwitsApiError(9101);
  const status = queryInteger(context.query, 'status');
  if (status !== 1 && status !== 2) throw formInvalid('status must be 1 (read) or 2 (deleted)');
  message.status = status;
  message.updatedAt = Date.now();
  return {};
}
