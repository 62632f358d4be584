// The tablet's camera, for QrScanner and PhotoCapture. Browsers give the camera only to secure
// pages (https, or localhost): on a plain-http office network they fall back to typing the code
// and to the file picker, which opens the camera app on a tablet.

/** Why the camera cannot be used here ('insecure', 'unsupported'), or '' when it can. */
export function cameraProblem() {
  if (!window.isSecureContext) return 'insecure'
  if (!navigator.mediaDevices?.getUserMedia) return 'unsupported'
  return ''
}

/** Starts the camera into a <video>; resolves to the stream, which the caller stops with stopCamera. */
export async function startCamera(video, facingMode) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode, width: { ideal: 1280 } }, audio: false })
  video.srcObject = stream
  await video.play()
  return stream
}

export function stopCamera(stream) {
  for (const track of stream?.getTracks() ?? []) track.stop()
}

/**
 * A JPEG data URL's base64 payload of the image, at most `size` pixels on its longer side: a face
 * check needs a face, not a 12-megapixel photo, and the API takes bodies up to 1 MB.
 */
export function jpegOf(source, width, height, size = 640) {
  const scale = Math.min(1, size / Math.max(width, height))
  const canvas = document.createElement('canvas')
  canvas.width = Math.round(width * scale)
  canvas.height = Math.round(height * scale)
  canvas.getContext('2d').drawImage(source, 0, 0, canvas.width, canvas.height)
  return canvas.toDataURL('image/jpeg', 0.85).split(',')[1]
}

/**
 * The code in what a QR code says: either the bare code or a link with it (…?code=BJ-2026-0001,
 * or …/r/BJ-2026-0001), as a channel's report QR codes have it.
 */
export function codeOf(text) {
  const value = String(text ?? '').trim()
  try {
    const url = new URL(value)
    return (url.searchParams.get('code') || url.pathname.split('/').filter(Boolean).pop() || '').slice(0, 64)
  } catch {
    return value.slice(0, 64)
  }
}
