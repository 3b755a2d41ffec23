/** A deep link to one conversation: the layout reads the id and opens it. */
export default function ConversationPage() {
  return null;
}
