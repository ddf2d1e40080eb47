/**
 * @module components/error-message
 * Shows a failure to the user as an alert, with the API's own message and code.
 * When the integration gate refused (403 `integration_not_enabled` /
 * `integration_disabled`), the alert links to that integration's marketplace
 * page, where an admin installs or enables it.
 */
import { useContext, type MouseEvent } from 'react';
import { describeError, integrationOfError, type IntegrationOfError } from '../api/describe-error.js';
import { LocationContext } from '../hooks/use-location.js';

/** A link to `/marketplace/<id>`: in the console it navigates in place; elsewhere it is a plain link. */
function MarketplaceLink({ integration }: { integration: IntegrationOfError }) {
  const location = useContext(LocationContext);
  const href = `/marketplace/${encodeURIComponent(integration.id)}`;
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (location === null || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    location.navigate(href);
  };
  const what = integration.name ?? 'the integration';
  return (
    <a href={href} onClick={onClick}>
      {integration.code === 'integration_disabled' ? `Enable ${what} in the marketplace` : `Install ${what} from the marketplace`}
    </a>
  );
}

export function ErrorMessage({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const integration = integrationOfError(error);
  return (
    <p role="alert" className="message message-error">
      {describeError(error)}
      {integration !== null ? (
        <>
          {' '}
          <MarketplaceLink integration={integration} />
        </>
      ) : null}
    </p>
  );
}

/** A polite status line (successes, progress notes). */
export function StatusMessage({ text }: { text: string | null }) {
  if (text === null) return null;
  return (
    <p role="status" className="message message-status">
      {text}
    </p>
  );
}
