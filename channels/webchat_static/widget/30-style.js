/* --- 30 style: colours meet WCAG AA (4.5:1 for text) on their backgrounds --- */
const CSS = `
#sbw-root, #sbw-root * { box-sizing: border-box; }
#sbw-root { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #1f2937; }
#sbw-root [hidden] { display: none !important; }
#sbw-root button { font: inherit; cursor: pointer; margin: 0; }
#sbw-root .sbw-launcher { position: relative; width: 56px; height: 56px; border: 0; border-radius: 50%; padding: 0;
  background: #1d4ed8; color: #fff; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: flex; align-items: center; justify-content: center; }
#sbw-root .sbw-launcher:hover { background: #1e40af; }
#sbw-root .sbw-launcher svg { width: 26px; height: 26px; fill: currentColor; }
#sbw-root .sbw-badge { position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px; padding: 0 6px;
  border-radius: 11px; background: #b91c1c; color: #fff; font-size: 12px; font-weight: 700; line-height: 18px;
  border: 2px solid #fff; text-align: center; }
#sbw-root .sbw-panel { position: fixed; right: 20px; bottom: 88px; width: 370px; height: 560px;
  max-height: calc(100vh - 108px); max-width: calc(100vw - 40px); display: flex; flex-direction: column;
  background: #fff; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); overflow: hidden; }
#sbw-root .sbw-header { display: flex; align-items: center; gap: 10px; padding: 12px 14px; background: #1d4ed8; color: #fff; }
#sbw-root .sbw-heading { flex: 1; min-width: 0; }
#sbw-root .sbw-title { font-weight: 600; font-size: 15px; margin: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#sbw-root .sbw-subtitle { font-size: 13px; }
#sbw-root .sbw-hbtn { width: 36px; height: 36px; border: 0; border-radius: 6px; background: transparent; color: #fff;
  font-size: 22px; line-height: 1; padding: 0; display: flex; align-items: center; justify-content: center; }
#sbw-root .sbw-hbtn svg { width: 20px; height: 20px; fill: currentColor; }
#sbw-root .sbw-hbtn:hover { background: rgba(255,255,255,.15); }
#sbw-root .sbw-avatar { flex: none; width: 32px; height: 32px; border-radius: 50%; background: #065f46; color: #fff;
  font-size: 12px; font-weight: 700; display: flex; align-items: center; justify-content: center; }
#sbw-root .sbw-header .sbw-avatar { background: #fff; color: #1d4ed8; }
#sbw-root .sbw-messages { flex: 1; min-height: 0; overflow-y: auto; padding: 12px; display: flex; flex-direction: column;
  gap: 10px; background: #f9fafb; }
#sbw-root .sbw-msg { display: flex; gap: 8px; max-width: 88%; align-items: flex-end; }
#sbw-root .sbw-content { min-width: 0; display: flex; flex-direction: column; }
#sbw-root .sbw-body { padding: 8px 11px; border-radius: 14px; white-space: pre-wrap; overflow-wrap: anywhere; }
#sbw-root .sbw-body ul, #sbw-root .sbw-body ol { margin: 2px 0; padding-left: 20px; white-space: normal; }
#sbw-root .sbw-body a { color: inherit; text-decoration: underline; }
#sbw-root .sbw-meta { font-size: 12px; color: #4b5563; margin-top: 2px; padding: 0 4px; }
#sbw-root .sbw-from-customer { align-self: flex-end; }
#sbw-root .sbw-from-customer .sbw-content { align-items: flex-end; }
#sbw-root .sbw-from-customer .sbw-body { background: #1d4ed8; color: #fff; border-bottom-right-radius: 4px; }
#sbw-root .sbw-from-bot, #sbw-root .sbw-from-agent { align-self: flex-start; }
#sbw-root .sbw-from-bot .sbw-body { background: #e5e7eb; color: #111827; border-bottom-left-radius: 4px; }
#sbw-root .sbw-from-agent .sbw-body { background: #d1fae5; color: #064e3b; border-bottom-left-radius: 4px; }
#sbw-root .sbw-from-system { align-self: center; max-width: 90%; text-align: center; }
#sbw-root .sbw-from-system .sbw-body { padding: 2px 8px; font-size: 12px; color: #4b5563; }
#sbw-root .sbw-from-system .sbw-meta { display: none; }
#sbw-root .sbw-typing { display: flex; align-items: center; gap: 4px; padding: 4px 16px 8px; background: #f9fafb;
  font-size: 12px; color: #4b5563; }
#sbw-root .sbw-dot { width: 7px; height: 7px; border-radius: 50%; background: #6b7280; animation: sbw-blink 1.2s infinite ease-in-out; }
#sbw-root .sbw-dot:nth-child(2) { animation-delay: .2s; }
#sbw-root .sbw-dot:nth-child(3) { animation-delay: .4s; }
#sbw-root .sbw-typing-who { margin-left: 6px; }
@keyframes sbw-blink { 0%, 80%, 100% { opacity: .3; transform: translateY(0); } 40% { opacity: 1; transform: translateY(-3px); } }
#sbw-root .sbw-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
#sbw-root .sbw-quick { display: flex; flex-wrap: wrap; gap: 6px; padding: 8px 12px; border-top: 1px solid #e5e7eb;
  max-height: 40%; overflow-y: auto; flex: none; }
#sbw-root .sbw-quick-btn { border: 1px solid #1d4ed8; border-radius: 16px; background: #fff; color: #1d4ed8;
  padding: 6px 12px; font-size: 14px; text-align: left; }
#sbw-root .sbw-quick-btn:hover { background: #eff6ff; }
#sbw-root .sbw-form { display: flex; align-items: center; gap: 8px; padding: 10px 12px; border-top: 1px solid #e5e7eb;
  background: #fff; margin: 0; flex: none; }
#sbw-root .sbw-tools { display: flex; gap: 4px; }
#sbw-root .sbw-tools:empty { display: none; }
#sbw-root .sbw-input { flex: 1; min-width: 0; border: 1px solid #6b7280; border-radius: 20px; padding: 8px 14px;
  font: inherit; font-size: 16px; color: inherit; background: #fff; outline: none; }
#sbw-root .sbw-input::placeholder { color: #4b5563; }
#sbw-root .sbw-input:focus { border-color: #1d4ed8; box-shadow: 0 0 0 2px rgba(29,78,216,.3); }
#sbw-root .sbw-send { border: 0; border-radius: 20px; background: #1d4ed8; color: #fff; padding: 0 16px; height: 38px; font-weight: 600; }
#sbw-root .sbw-send:disabled, #sbw-root .sbw-input:disabled { opacity: .6; cursor: not-allowed; }
#sbw-root .sbw-attach { flex: none; width: 38px; height: 38px; border: 0; border-radius: 50%; background: transparent;
  color: #1d4ed8; padding: 0; display: flex; align-items: center; justify-content: center; }
#sbw-root .sbw-attach:hover { background: #eff6ff; }
#sbw-root .sbw-attach svg { width: 22px; height: 22px; fill: currentColor; }
#sbw-root .sbw-attach:disabled { opacity: .6; cursor: not-allowed; }
#sbw-root .sbw-limits { flex: none; padding: 6px 12px; font-size: 12px; color: #374151; background: #fff;
  border-top: 1px solid #e5e7eb; }
#sbw-root .sbw-drop { position: absolute; inset: 0; z-index: 2; display: flex; align-items: center; justify-content: center;
  padding: 24px; text-align: center; background: rgba(239,246,255,.97); border: 3px dashed #1d4ed8; border-radius: 12px;
  color: #1e3a8a; font-weight: 600; }
#sbw-root .sbw-files { display: flex; flex-direction: column; gap: 4px; white-space: normal; }
#sbw-root .sbw-text:empty + .sbw-files { margin-top: 0; }
#sbw-root .sbw-text:not(:empty) + .sbw-files { margin-top: 6px; }
#sbw-root .sbw-thumb { display: block; min-width: 48px; min-height: 48px; max-width: 200px; max-height: 160px;
  object-fit: contain; border-radius: 8px; background: #fff; }
#sbw-root .sbw-from-system.sbw-error .sbw-body { color: #991b1b; }
#sbw-root .sbw-progress { width: 160px; height: 8px; margin-top: 4px; accent-color: #1d4ed8; }
#sbw-root button:focus-visible, #sbw-root a:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
@media (max-width: 480px) {
  #sbw-root .sbw-panel { inset: 0; width: 100%; height: 100%; max-width: none; max-height: none; border-radius: 0; }
  #sbw-root.sbw-open .sbw-launcher { display: none; }
}
@media (prefers-reduced-motion: reduce) { #sbw-root .sbw-dot { animation: none; } }
`;
// Static icon markup (constants, never message content).
const ICON_CLIP = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6h-1.5z"/></svg>';
const ICON_CHAT = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2zm3 6v2h2V9H7zm4 0v2h2V9h-2zm4 0v2h2V9h-2z"/></svg>';
const ICON_SOUND = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4z"/></svg>';
const ICON_MUTED = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M3 9v6h4l5 5V4L7 9H3zm13.6 3 2.7-2.7-1.4-1.4-2.7 2.7-2.7-2.7-1.4 1.4 2.7 2.7-2.7 2.7 1.4 1.4 2.7-2.7 2.7 2.7 1.4-1.4z"/></svg>';
