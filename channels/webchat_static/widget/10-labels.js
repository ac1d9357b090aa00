/* --- 10 labels: the widget's own texts in nl/de/en and the chat's language --- */
const STRINGS = {
  en: {
    launcher: 'Open chat', close: 'Close chat', placeholder: 'Type a message…', send: 'Send',
    assistant: 'Virtual assistant', waiting: 'Waiting for a colleague', typing: 'Typing…',
    agentTyping: '{name} is typing…', quick: 'Suggested replies', messages: 'Chat messages',
    reconnecting: 'Reconnecting…', joined: '{name} joined the chat', agent: 'An agent',
    left: "You're talking to our assistant again", closed: 'The chat has been closed.',
    idle: 'The chat was paused because of inactivity.', error: 'Something went wrong.',
    you: 'You', system: 'Notice', sending: 'Sending…', sent: 'Sent', seen: 'Seen',
    unread: '{count} new messages', unreadOne: '1 new message', sound: 'Notification sound', soundOn: 'Sound on',
    soundOff: 'Sound off', talkingTo: 'You are talking to',
    attach: 'Attach a file', limits: 'You can send {types}, up to {size} per file.',
    drop: 'Drop the file here to send it', uploading: 'Uploading {name}',
    tooLarge: '“{name}” was not sent: it is {size}, and a file can be at most {limit}.',
    wrongType: '“{name}” was not sent: only {types} can be sent.',
    uploadFailed: '“{name}” could not be sent. Please try again.',
    tooFast: 'Too many messages; please wait a moment.', photo: 'Photo', file: 'File'
  },
  nl: {
    launcher: 'Chat openen', close: 'Chat sluiten', placeholder: 'Typ een bericht…', send: 'Versturen',
    assistant: 'Virtuele assistent', waiting: 'Wachten op een collega', typing: 'Aan het typen…',
    agentTyping: '{name} is aan het typen…', quick: 'Voorgestelde antwoorden', messages: 'Chatberichten',
    reconnecting: 'Opnieuw verbinden…', joined: '{name} neemt deel aan het gesprek', agent: 'Een medewerker',
    left: 'Je praat weer met onze assistent', closed: 'Het gesprek is gesloten.',
    idle: 'Het gesprek is gepauzeerd wegens inactiviteit.', error: 'Er ging iets mis.',
    you: 'Jij', system: 'Melding', sending: 'Versturen…', sent: 'Verstuurd', seen: 'Gelezen',
    unread: '{count} nieuwe berichten', unreadOne: '1 nieuw bericht', sound: 'Meldingsgeluid', soundOn: 'Geluid aan',
    soundOff: 'Geluid uit', talkingTo: 'Je praat met',
    attach: 'Bestand toevoegen', limits: 'Je kunt {types} sturen, tot {size} per bestand.',
    drop: 'Laat het bestand hier los om het te versturen', uploading: '{name} wordt geüpload',
    tooLarge: '„{name}” is niet verstuurd: het is {size} en een bestand mag hoogstens {limit} zijn.',
    wrongType: '„{name}” is niet verstuurd: alleen {types} kunnen worden verstuurd.',
    uploadFailed: '„{name}” kon niet worden verstuurd. Probeer het opnieuw.',
    tooFast: 'Te veel berichten; wacht even.', photo: 'Foto', file: 'Bestand'
  },
  de: {
    launcher: 'Chat öffnen', close: 'Chat schließen', placeholder: 'Nachricht eingeben…', send: 'Senden',
    assistant: 'Virtueller Assistent', waiting: 'Warten auf einen Mitarbeiter', typing: 'Schreibt…',
    agentTyping: '{name} schreibt…', quick: 'Vorgeschlagene Antworten', messages: 'Chatnachrichten',
    reconnecting: 'Verbindung wird wiederhergestellt…', joined: '{name} ist dem Chat beigetreten', agent: 'Ein Mitarbeiter',
    left: 'Sie sprechen wieder mit unserem Assistenten', closed: 'Der Chat wurde beendet.',
    idle: 'Der Chat wurde wegen Inaktivität pausiert.', error: 'Etwas ist schiefgelaufen.',
    you: 'Sie', system: 'Hinweis', sending: 'Wird gesendet…', sent: 'Gesendet', seen: 'Gelesen',
    unread: '{count} neue Nachrichten', unreadOne: '1 neue Nachricht', sound: 'Benachrichtigungston', soundOn: 'Ton an',
    soundOff: 'Ton aus', talkingTo: 'Sie sprechen mit',
    attach: 'Datei anhängen', limits: 'Sie können {types} senden, bis {size} pro Datei.',
    drop: 'Datei hier ablegen, um sie zu senden', uploading: '{name} wird hochgeladen',
    tooLarge: '„{name}“ wurde nicht gesendet: Die Datei hat {size}, erlaubt sind höchstens {limit}.',
    wrongType: '„{name}“ wurde nicht gesendet: Nur {types} können gesendet werden.',
    uploadFailed: '„{name}“ konnte nicht gesendet werden. Bitte versuchen Sie es erneut.',
    tooFast: 'Zu viele Nachrichten; bitte warten Sie einen Moment.', photo: 'Foto', file: 'Datei'
  }
};
const FROM = ['customer', 'bot', 'agent', 'system'];
const TOKEN_KEY = 'sbw-token';
const SOUND_KEY = 'sbw-sound';

// Options from our own <script> tag (read synchronously, while it is the current script).
const script = document.currentScript || Array.from(document.getElementsByTagName('script')).reverse()
  .find((s) => /\/chat\/widget\.js$/.test((s.src || '').split(/[?#]/)[0]));
const data = (script && script.dataset) || {};
const title = data.title || 'Support';

function supported(code) {
  const short = String(code || '').slice(0, 2).toLowerCase();
  return STRINGS[short] ? short : null;
}
// The visitor's language: the page's data-lang, else the first supported browser language.
const visitorLang = supported(data.lang) || (navigator.languages || [navigator.language])
  .map(supported).find(Boolean) || 'en';
let chatLang = visitorLang; // becomes the conversation's language once the server knows it
let t = STRINGS[chatLang];

function setChatLang(code) {
  chatLang = supported(code) || chatLang;
  t = STRINGS[chatLang];
}
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (values[k] != null ? String(values[k]) : m));
}
