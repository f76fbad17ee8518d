/* Kiosk: live camera, face feedback, automatic face login, passport fallback. */
"use strict";
const video = document.getElementById("video");
const hint = document.getElementById("hint");
const frame = document.getElementById("face-frame");
const result = document.getElementById("result");
const passportCard = document.getElementById("passport-card");
const retry = document.getElementById("retry-face");
const canvas = document.createElement("canvas");
const DETECT_INTERVAL_MS = 600;
const GOOD_FRAMES_NEEDED = 2;
let running = false;
let goodFrames = 0;

function say(text) { hint.textContent = text; }

function showResult(text, ok) {
  result.hidden = false;
  result.textContent = text;
  result.className = "result " + (ok ? "ok" : "bad");
}

function noCamera() {
  say(T.no_camera);
  document.getElementById("camera").hidden = true;
  passportCard.classList.add("highlight");
}

function capture() {
  canvas.width = video.videoWidth || 640;
  canvas.height = video.videoHeight || 480;
  canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL("image/jpeg", 0.9);
}

function drawBox(data) {
  if (!data.face_detected || !data.box) { frame.hidden = true; return; }
  const [w, h] = data.image_size;
  const [x1, y1, x2, y2] = data.box;
  // The preview is mirrored like a looking-glass, so mirror the box too.
  Object.assign(frame.style, {
    left: (100 * (w - x2) / w) + "%", top: (100 * y1 / h) + "%",
    width: (100 * (x2 - x1) / w) + "%", height: (100 * (y2 - y1) / h) + "%",
  });
  frame.classList.toggle("good", data.quality_ok);
  frame.hidden = false;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const BURST_FRAMES = 10;
const BURST_INTERVAL_MS = 250;

async function faceLogin(image) {
  say(T.recognising);
  handleLogin(await api("/api/face-login/", { method: "POST", body: { image } }));
}

/* FACE_LIVENESS=challenge: ask for a random action, then send a burst of frames. */
async function livenessLogin() {
  const challenge = await api("/api/liveness/challenge/", { method: "POST" });
  if (!challenge.success) { say(challenge.error); return; }
  say(challenge.instruction);
  hint.classList.add("instruction");
  const frames = [];
  for (let i = 0; i < Math.min(BURST_FRAMES, challenge.max_frames); i += 1) {
    frames.push(capture());
    await sleep(BURST_INTERVAL_MS);
  }
  hint.classList.remove("instruction");
  say(T.recognising);
  handleLogin(await api("/api/face-login/", {
    method: "POST", body: { challenge_id: challenge.challenge_id, frames },
  }));
}

function handleLogin(data) {
  if (data.success) {
    running = false;
    say(T.welcome);
    showResult(`${T.welcome}, ${data.person.full_name}!`, true);
    setTimeout(() => { window.location.href = "/dashboard/"; }, 1200);
    return;
  }
  if (data.status === 401 || data.status === 429) {
    // Not recognised: stop and offer the passport form instead of retrying forever.
    running = false;
    showResult(data.error, false);
    say(T.passport_login);
    passportCard.classList.add("highlight");
    retry.hidden = false;
    document.getElementById("passport").focus();
    return;
  }
  goodFrames = 0;
  say(data.error);
}

async function tick() {
  if (!running) return;
  try {
    if (video.readyState >= 2) {
      const image = capture();
      const data = await api("/api/detect-face/", { method: "POST", body: { image } });
      if (!running) return;
      drawBox(data);
      if (!data.success) {
        say(data.error);
      } else if (!data.face_detected) {
        goodFrames = 0; say(T.look_at_camera);
      } else if (data.face_count > 1) {
        goodFrames = 0; say(T.several_faces);
      } else if (!data.quality_ok) {
        goodFrames = 0; say(data.quality_issue);
      } else {
        goodFrames += 1;
        say(T.hold_still);
        if (goodFrames >= GOOD_FRAMES_NEEDED) {
          goodFrames = 0;
          await (CONFIG.liveness === "challenge" ? livenessLogin() : faceLogin(image));
        }
      }
    }
  } catch (error) {
    say(T.look_at_camera);
  }
  if (running) setTimeout(tick, DETECT_INTERVAL_MS);
}

async function startCamera() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return noCamera();
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" }, audio: false,
    });
    await video.play();
  } catch (error) {
    return noCamera();
  }
  running = true;
  tick();
}

retry.addEventListener("click", () => {
  retry.hidden = true;
  result.hidden = true;
  passportCard.classList.remove("highlight");
  running = true;
  tick();
});

/* Input masks: AA1234567 and DD.MM.YYYY. */
const passportInput = document.getElementById("passport");
passportInput.addEventListener("input", () => {
  const raw = passportInput.value.toUpperCase().replace(/[^A-Z0-9]/g, "");
  const letters = raw.slice(0, 2).replace(/[^A-Z]/g, "");
  const digits = raw.slice(letters.length).replace(/\D/g, "").slice(0, 7);
  passportInput.value = letters + (letters.length === 2 ? digits : "");
});
const dateInput = document.getElementById("birth-date");
dateInput.addEventListener("input", () => {
  const digits = dateInput.value.replace(/\D/g, "").slice(0, 8);
  const parts = [digits.slice(0, 2), digits.slice(2, 4), digits.slice(4, 8)].filter(Boolean);
  dateInput.value = parts.join(".");
});

document.getElementById("passport-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("passport-error");
  error.hidden = true;
  const body = { username: passportInput.value, birth_date: dateInput.value };
  if (running && video.readyState >= 2) body.image = capture();
  const data = await api("/api/passport-login/", { method: "POST", body });
  if (data.success) {
    running = false;
    showResult(`${T.welcome}, ${data.user.full_name}!`, true);
    setTimeout(() => { window.location.href = "/dashboard/"; }, 800);
  } else {
    error.textContent = data.error;
    error.hidden = false;
  }
});

startCamera();
