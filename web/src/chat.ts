// The live chat channel: one WebSocket per signed-in tab, reconnected when it drops. Messages
// arrive here and are kept per conversation; unread counts come from the server on (re)connect.
import { reactive } from 'vue'
import { api, session, type Schema } from './api'

export type ChatMessage = Schema<'MessageSeen'>

export const chat = reactive<{
  conversations: Schema<'ConversationSeen'>[]
  messages: Record<number, ChatMessage[]>
  unread: number
  open: number | null
  error: string
}>({ conversations: [], messages: {}, unread: 0, open: null, error: '' })

let socket: WebSocket | null = null
let retry: ReturnType<typeof setTimeout> | undefined

export async function loadConversations() {
  const r = await api('GET', '/api/chat/conversations')
  chat.conversations = r.conversations
  chat.unread = r.conversations.filter((c) => c.id !== chat.open).reduce((n, c) => n + c.unread, 0)
}

function received(m: ChatMessage) {
  const list = (chat.messages[m.conversation_id] ??= [])
  if (!list.some((x) => x.id === m.id)) list.push(m)
  const c = chat.conversations.find((x) => x.id === m.conversation_id)
  if (!c) {
    loadConversations().catch(() => undefined)
    return
  }
  c.last = m
  if (m.conversation_id === chat.open) {
    api('POST', '/api/chat/conversations/{id}/read', { path: { id: m.conversation_id }, body: { up_to: m.id } }).catch(() => undefined)
  } else if (m.sender_id !== session.me?.id) {
    c.unread += 1
    chat.unread += 1
  }
}

export function connectChat() {
  if (socket || !session.me) return
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/chat/ws`)
  socket = ws
  ws.onopen = () => loadConversations().catch(() => undefined)
  // The socket's frames are not in the API's document: `{type: 'message', message}` (a
  // MessageSeen) or `{type: 'error', error}`.
  ws.onmessage = (ev) => {
    const v: { type?: unknown; message?: ChatMessage; error?: unknown } = JSON.parse(ev.data)
    if (v.type === 'message' && v.message) received(v.message)
    else if (v.type === 'error') chat.error = String(v.error)
  }
  ws.onclose = () => {
    socket = null
    if (session.me) retry = setTimeout(connectChat, 3000)
  }
}

export function disconnectChat() {
  clearTimeout(retry)
  socket?.close()
  socket = null
}

export function sendChat(conversation: number, body: string, file?: number) {
  chat.error = ''
  if (socket?.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify({ type: 'send', conversation, body, file }))
    return Promise.resolve()
  }
  // The channel is down: the same through the REST route.
  return api('POST', '/api/chat/conversations/{id}/messages', { path: { id: conversation }, body: { body, file } }).then(received)
}
