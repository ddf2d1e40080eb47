/**
 * @module components/breadcrumbs
 * The path of the open folder, each ancestor a link.
 */
import { folderHref, pathSegments } from '../format.js';
import { useLinkClick } from '../hooks/use-location.js';

export function Breadcrumbs({ path, rootName }: { path: string; rootName: string }) {
  const onClick = useLinkClick();
  const segments = pathSegments(path);
  const crumbs = [{ name: rootName, href: folderHref('/') }];
  segments.forEach((segment, index) => {
    crumbs.push({ name: segment, href: folderHref('/' + segments.slice(0, index + 1).join('/')) });
  });
  return (
    <nav aria-label="Breadcrumb" className="breadcrumbs">
      <ol>
        {crumbs.map((crumb, index) => (
          <li key={crumb.href}>
            {index === crumbs.length - 1 ? (
              <span aria-current="page">{crumb.name}</span>
            ) : (
              <a href={crumb.href} onClick={onClick}>
                {crumb.name}
              </a>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}
