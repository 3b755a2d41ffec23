'use client';

import { REPORT_NOTE_MAX_CHARS, REPORT_REASONS, type Message, type ReportReason } from '@chatpop/protocol';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import { Textarea } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner } from '@/components/ui/misc';

const REASON_LABEL: Record<ReportReason, string> = {
  spam: 'Spam or scam',
  harassment: 'Harassment or bullying',
  hate: 'Hate speech',
  sexual: 'Sexual content',
  violence: 'Violence or threats',
  other: 'Something else',
};

/** Reporting a message to the host and moderators (SPEC §2.4). */
export function ReportDialog({
  message,
  onClose,
  onReport,
}: {
  message: Message | null;
  onClose: () => void;
  onReport: (message: Message, reason: ReportReason, note: string) => Promise<void>;
}) {
  return (
    <Dialog open={message !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent data-testid="report-dialog">{message && <ReportForm message={message} onClose={onClose} onReport={onReport} />}</DialogContent>
    </Dialog>
  );
}

function ReportForm({ message, onClose, onReport }: { message: Message; onClose: () => void; onReport: (message: Message, reason: ReportReason, note: string) => Promise<void> }) {
  const [reason, setReason] = useState<ReportReason | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!reason) {
      setError('Choose what is wrong with this message.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onReport(message, reason, note.trim());
      setDone(true);
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The report did not go through. Try again.');
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return (
      <div className="flex flex-col gap-4" data-testid="report-sent">
        <DialogHeader>
          <DialogTitle>Thanks for telling us</DialogTitle>
          <DialogDescription>The host and the moderators of this chat will look at it. {message.username} is not told who reported them.</DialogDescription>
        </DialogHeader>
        <Button onClick={onClose}>Done</Button>
      </div>
    );
  }

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <DialogHeader>
        <DialogTitle>Report this message</DialogTitle>
        <DialogDescription className="line-clamp-2 break-words">
          {message.username}: {message.content}
        </DialogDescription>
      </DialogHeader>
      <fieldset className="flex flex-col gap-1.5">
        <legend className="mb-1 text-sm font-medium">What is wrong with it?</legend>
        {REPORT_REASONS.map((r) => (
          <label key={r} className="flex cursor-pointer items-center gap-3 rounded-xl px-3 py-2 text-sm hover:bg-accent has-[:checked]:bg-accent has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring">
            <input type="radio" name="reason" value={r} checked={reason === r} onChange={() => setReason(r)} className="size-4 accent-primary" data-testid={`report-reason-${r}`} />
            {REASON_LABEL[r]}
          </label>
        ))}
      </fieldset>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="report-note">Anything to add? (optional)</Label>
        <Textarea id="report-note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={REPORT_NOTE_MAX_CHARS} rows={2} />
      </div>
      <FormError data-testid="report-error">{error}</FormError>
      <Button type="submit" disabled={busy} data-testid="report-submit">
        {busy ? <Spinner label="Sending the report" /> : 'Send report'}
      </Button>
    </form>
  );
}
