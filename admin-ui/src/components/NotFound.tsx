import { Link } from 'react-router';

/** What a page about one thing shows when the thing is not there (or not the viewer's to see). */
export function NotFound({ title, text, back }: { title: string; text: string; back: { to: string; label: string } }) {
  return (
    <div className="not-found">
      <h1>{title}</h1>
      <p>{text}</p>
      <Link to={back.to}>{back.label}</Link>
    </div>
  );
}
