"""OpenCV peer for the face_detect workload: the stock frontal-face Haar cascade (opencv-data) on the
same 640x480 gray frame as Tensile's detector, faces from 36 px up, scale step 1.1, with the harness's
timing protocol (measure() as in torch_bench.py).

Usage: python3 opencv_faces_bench.py <threads> <workload,...> <photo>  -> one JSON line.
"""
import json
import math
import statistics
import sys
import time

import cv2

threads = int(sys.argv[1])
wanted = sys.argv[2].split(",")
photo = sys.argv[3]
CASCADE = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"


def measure(call, warmup, samples, min_block_ms):
    for _ in range(warmup):
        call()
    calls, spent = 0, 0.0
    while spent < 0.010:
        start = time.perf_counter()
        call()
        spent += time.perf_counter() - start
        calls += 1
    k = max(1, math.ceil(min_block_ms / 1000 / (spent / calls)))
    out = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(k):
            call()
        out.append((time.perf_counter() - start) / k * 1000)
    return out


if "face_detect" in wanted:
    cv2.setNumThreads(threads)
    cascade = cv2.CascadeClassifier(CASCADE)
    gray = cv2.imread(photo, cv2.IMREAD_GRAYSCALE)
    if gray is None:
        print(json.dumps({"workload": "face_detect", "engine": "opencv-haar", "threads": threads, "skipped": f"no photograph {photo} (set TENSILE_DATA)"}))
        sys.exit(0)
    frame = cv2.resize(gray, (640, 480), interpolation=cv2.INTER_AREA)
    samples = measure(lambda: cascade.detectMultiScale(frame, scaleFactor=1.1, minNeighbors=3, minSize=(36, 36)), 2, 9, 0)
    print(json.dumps({"workload": "face_detect", "engine": "opencv-haar", "threads": threads, "median": statistics.median(samples),
                      "min": min(samples), "max": max(samples), "unit": "ms/frame"}))
