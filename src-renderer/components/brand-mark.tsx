/** The LANrage mark (three hosts joined into one LAN), drawn like assets/icon.png. */
export function BrandMark({ size = 28 }: { size?: number }) {
  return (
    <svg className="brand-mark" width={size} height={size} viewBox="0 0 100 100" aria-hidden="true">
      <defs>
        <linearGradient id="brand-gradient" x1="0" y1="0" x2="0" y2="1">
          <stop offset="0" stopColor="#ff8a3d" />
          <stop offset="1" stopColor="#ff2d6f" />
        </linearGradient>
      </defs>
      <g stroke="url(#brand-gradient)" strokeWidth="7" strokeLinecap="round" fill="none">
        <path d="M50 22 L22 72 L78 72 Z" strokeLinejoin="round" />
      </g>
      <g fill="url(#brand-gradient)">
        <circle cx="50" cy="22" r="14" />
        <circle cx="22" cy="72" r="14" />
        <circle cx="78" cy="72" r="14" />
      </g>
      <g fill="var(--lr-bg-raised)">
        <circle cx="50" cy="22" r="6" />
        <circle cx="22" cy="72" r="6" />
        <circle cx="78" cy="72" r="6" />
      </g>
    </svg>
  );
}
