/** The list alone (a phone) or the list beside an empty pane (a desktop): see the layout. */
export default function InboxPage() {
  return null;
}
