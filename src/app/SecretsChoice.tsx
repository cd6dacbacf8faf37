/** The one question about a data URL's secrets (signature, token, password): asked in every cell that exports, answered once per session. */
import { useWorkbench } from './store.ts';
import { hasSecrets } from '../data/urlSecrets.ts';

/** The loaded data's URL when it carries a secret; null otherwise (nothing to ask). */
export function useSecretDataUrl(): string | null {
  return useWorkbench((s) => (s.dataset?.source.type === 'url' && hasSecrets(s.dataset.source.url) ? s.dataset.source.url : null));
}

/** The checkbox: unticked (the default) replaces the secrets by REDACTED everywhere the URL leaves the page. */
export function SecretsChoice({ where }: { readonly where: string }) {
  const secretUrl = useSecretDataUrl();
  const keep = useWorkbench((s) => s.shareSecrets);
  const setKeep = useWorkbench((s) => s.setShareSecrets);
  if (secretUrl === null) return null;
  return (
    <label className="field inline warning" data-testid="signature-choice">
      <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} data-testid="keep-signature" />
      {' '}keep the data URL&apos;s secrets (signature, token, password) in {where} (anyone with them can read the data); replaced by REDACTED
      by default. One choice for this tab: links, notebook files and MLflow exports follow it.
    </label>
  );
}
