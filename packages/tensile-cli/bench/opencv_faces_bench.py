"""OpenCV peer for the face_detect workload: the stock frontal-face Haar cascade (opencv-data) on the
same 640x480 gray frame as Tensile's detector, faces from 36 px up, scale step 1.1, with the harness's
timing protocol (bench_protocol.py).

Usage: python3 opencv_faces_bench.py <threads> <workload,...> <photo>  -> one JSON line.
"""
import json
import sys

import cv2

from bench_protocol import measure, print_result

threads = int(sys.argv[1])
wanted = sys.argv[2].split(",")
photo = sys.argv[3]
CASCADE = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"


if "face_detect" in wanted:
    cv2.setNumThreads(threads)
    cascade = cv2.CascadeClassifier(CASCADE)
    gray = cv2.imread(photo, cv2.IMREAD_GRAYSCALE)
    if gray is None:
        print(json.dumps({"workload": "face_detect", "engine": "opencv-haar", "threads": threads, "skipped": f"no photograph {photo} (set TENSILE_DATA)"}))
        sys.exit(0)
    frame = cv2.resize(gray, (640, 480), interpolation=cv2.INTER_AREA)
    samples = measure(lambda: cascade.detectMultiScale(frame, scaleFactor=1.1, minNeighbors=3, minSize=(36, 36)), 2, 9, 0)
    print_result("face_detect", "opencv-haar", threads, samples, "ms/frame")
