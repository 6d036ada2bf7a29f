// A new offer makes a short tone and, when the agent allowed it, a browser notification.
let audio = null;

export function alertOffer(userName) {
  try {
    audio = audio || new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.value = 0.05;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.2);
  } catch { /* no audio: the list still shows the offer */ }
  if ("Notification" in window && Notification.permission === "granted") {
    new Notification("New chat offered", { body: userName });
  }
}

export function askForNotifications() {
  if ("Notification" in window && Notification.permission === "default") Notification.requestPermission().catch(() => {});
}
