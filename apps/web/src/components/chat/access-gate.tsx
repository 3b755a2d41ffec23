'use client';

import { ACCESS_CODE_MAX_CHARS, type ChatView } from '@chatpop/protocol';
import { LockIcon } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { FormError, Spinner } from '@/components/ui/misc';
import { api, chatPath, errorMessage } from '@/lib/api';
import { chatWithViewerSchema, type Viewer } from '@/lib/chat-api';
import { takeAccessCodeFromLink } from '@/lib/share';

/** A private chat before its access code: nothing about the chat, only the prompt (SPEC §2.2). */
export function AccessGate({ code, onGranted }: { code: string; onGranted: (res: { chat: ChatView; viewer: Viewer }) => void }) {
  const [accessCode, setAccessCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function enter(candidate: string) {
    setBusy(true);
    setError(null);
    try {
      const res = await api.post(chatPath(code, '/access'), { accessCode: candidate }, { schema: chatWithViewerSchema });
      onGranted(res);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!accessCode.trim()) {
      setError('Enter the access code.');
      return;
    }
    void enter(accessCode.trim());
  }

  // A link that carries the access code lets its bearer straight in; a wrong one leaves it in the field to correct.
  const fromLink = useRef(false);
  useEffect(() => {
    if (fromLink.current) return;
    fromLink.current = true;
    const carried = takeAccessCodeFromLink();
    if (carried === null) return;
    setAccessCode(carried.slice(0, ACCESS_CODE_MAX_CHARS));
    void enter(carried.slice(0, ACCESS_CODE_MAX_CHARS));
  }, []);

  return (
    <form
      onSubmit={submit}
      noValidate
      className="flex w-full max-w-sm flex-col gap-5 rounded-3xl border border-border bg-background p-6 text-foreground shadow-xl"
      data-testid="access-gate"
    >
      <div className="flex flex-col items-center gap-3 text-center">
        <span className="flex size-12 items-center justify-center rounded-2xl bg-muted">
          <LockIcon className="size-6" aria-hidden />
        </span>
        <h1 className="text-xl font-semibold">This chat is private</h1>
        <p className="text-sm text-muted-foreground">Enter the access code the host gave you.</p>
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor="access-code">Access code</Label>
        <Input
          id="access-code"
          value={accessCode}
          onChange={(e) => setAccessCode(e.target.value)}
          maxLength={ACCESS_CODE_MAX_CHARS}
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          autoFocus
          className="text-center font-mono tracking-widest"
          aria-invalid={Boolean(error)}
          aria-describedby={error ? 'access-code-error' : undefined}
          data-testid="access-code-input"
        />
        <FormError id="access-code-error" data-testid="access-code-error">
          {error}
        </FormError>
      </div>
      <Button type="submit" size="lg" disabled={busy} data-testid="access-code-submit">
        {busy ? <Spinner label="Checking" /> : 'Enter chat'}
      </Button>
    </form>
  );
}
