#!/bin/sh
# The Debian packages the archive needs (Tesseract with Vietnamese data, Ghostscript for OCRmyPDF's
# PDF/A copies). Installed when this runs as root; otherwise the exact command is printed.
need=""
command -v tesseract >/dev/null 2>&1 || need="$need tesseract-ocr"
ls /usr/share/tesseract-ocr/*/tessdata/vie.traineddata >/dev/null 2>&1 || need="$need tesseract-ocr-vie"
command -v gs >/dev/null 2>&1 || need="$need ghostscript"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $need
else
  echo "lamsach archive: missing system packages:$need"
  echo "install them with: sudo apt-get install -y$need"
fi
