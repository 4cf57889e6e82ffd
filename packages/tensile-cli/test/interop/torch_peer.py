"""The PyTorch side of Tensile's PyTorch tests (packages/tensile-cli/test/interop/pytorch.test.ts) and of
docs/interop-many-machines.md: the nn.Modules equivalent to the Tensile test network and to the face
embedder (same layer names, the
naming and layout convention of packages/tensile/src/saving/pytorch-weights.ts), safetensors read and
written by hand (the safetensors package need not be installed), and

  forward NETWORK WEIGHTS DATA OUT    eval-mode outputs of DATA's 'x' (NHWC, as Tensile) into OUT's 'y',
                                      NETWORK 'twin' (the test network) or 'face-embedder'
  train WEIGHTS DATA OUT_WEIGHTS OUT  STEPS SGD steps on DATA's 'x'/'labels', with DistributedDataParallel
                                      when launched by torch.distributed.run (each process its share of
                                      the batch); rank 0 writes the weights and the eval-mode outputs

Distributed, it reads the env:// rendezvous variables (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE) that
torchrun sets (`torchrun --nnodes N --nproc_per_node P --rdzv-endpoint HOST:PORT torch_peer.py train ...`),
or that a launcher sets by hand, as the test does: Debian's torch 1.13 torchrun fails on Python >= 3.11.
"""
import json
import os
import struct
import sys
from collections import OrderedDict

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

STEPS = 3
LEARNING_RATE = 0.1


def network():
    """The twin of pytorch.test.ts's Tensile network: Conv2D 'same' stride 2 (TensorFlow's padding puts the
    odd pixel bottom/right: ZeroPad2d), BatchNormalization eps 1e-3 and momentum 1 - 0.99, grouped
    Conv2D 'same', MaxPool2D, Flatten of NCHW, Dropout, Dense, BatchNormalization, Dense."""
    return nn.Sequential(OrderedDict([
        ('conv1_pad', nn.ZeroPad2d((0, 1, 0, 1))),
        ('conv1', nn.Conv2d(3, 8, 3, stride=2)),
        ('bn1', nn.BatchNorm2d(8, eps=1e-3, momentum=0.01)),
        ('relu1', nn.ReLU()),
        ('conv2', nn.Conv2d(8, 12, 3, padding=1, groups=2, bias=False)),
        ('pool', nn.MaxPool2d(2)),
        ('flatten', nn.Flatten()),
        ('dropout', nn.Dropout(0.3)),
        ('fc1', nn.Linear(12 * 4 * 4, 16)),
        ('fc1_bn', nn.BatchNorm1d(16, eps=1e-3, momentum=0.01)),
        ('fc1_relu', nn.ReLU()),
        ('logits', nn.Linear(16, 5)),
    ]))


def conv_bn_relu(name, inputs, filters, stride=1):
    """Tensile's conv (3x3, 'same', no bias) → BN (momentum 0.9 → 0.1) → ReLU of the face embedder."""
    pad = [(f'{name}_conv_pad', nn.ZeroPad2d((0, 1, 0, 1)))] if stride == 2 else []
    conv = nn.Conv2d(inputs, filters, 3, stride=stride, padding=0 if stride == 2 else 1, bias=False)
    return pad + [(f'{name}_conv', conv), (f'{name}_bn', nn.BatchNorm2d(filters, eps=1e-3, momentum=0.1)), (f'{name}_relu', nn.ReLU())]


class UnitNormalization(nn.Module):
    """Tensile's UnitNormalization: x / max(|x|, 1e-12) over the last axis."""

    def forward(self, x):
        return nn.functional.normalize(x, dim=-1, eps=1e-12)


def face_embedder():
    """The twin of the face embedder trained by `tensile faces train-embedder` (apps/faces/trained/network.ts,
    filters 32, 48, 96, 128 on a 96x96 RGB chip), with its unit normalisation; the augmentation layers do
    nothing at inference and have no weights, so the twin leaves them out."""
    return nn.Sequential(OrderedDict(
        conv_bn_relu('stage1a', 3, 32, 2) + conv_bn_relu('stage1b', 32, 32) + [('pool1', nn.MaxPool2d(2))]
        + conv_bn_relu('stage2a', 32, 48) + conv_bn_relu('stage2b', 48, 48) + [('pool2', nn.MaxPool2d(2))]
        + conv_bn_relu('stage3a', 48, 96) + conv_bn_relu('stage3b', 96, 96) + [('pool3', nn.MaxPool2d(2))]
        + conv_bn_relu('stage4', 96, 128)
        + [('flatten', nn.Flatten()), ('dropout', nn.Dropout(0.2)), ('embedding', nn.Linear(128 * 6 * 6, 128, bias=False)),
           ('embedding_bn', nn.BatchNorm1d(128, eps=1e-3, momentum=0.1)), ('unit_embedding', UnitNormalization())]))


NETWORKS = {'twin': network, 'face-embedder': face_embedder}


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        sys.exit(f'{path}: {len(data)} bytes, not a safetensors file')
    (length,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + length])
    header.pop('__metadata__', None)
    tensors = {}
    for name, entry in header.items():
        if entry['dtype'] != 'F32':
            sys.exit(f"{path}: tensor '{name}' is {entry['dtype']}, expected F32")
        begin, end = entry['data_offsets']
        raw = bytearray(data[8 + length + begin:8 + length + end])
        tensors[name] = torch.frombuffer(raw, dtype=torch.float32).reshape(entry['shape']) if raw else torch.zeros(entry['shape'])
    return tensors


def write_safetensors(path, tensors):
    """Float32 tensors, header padded to 8 bytes, written to a temporary file and renamed (atomic)."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)
    with open(path + '.tmp', 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(chunks))
    os.replace(path + '.tmp', path)


def load(weights, build=network):
    model = build()
    # strict: every tensor of the convention present and no other (num_batches_tracked is filled in by PyTorch)
    missing, unexpected = model.load_state_dict(read_safetensors(weights), strict=False)
    missing = [k for k in missing if not k.endswith('num_batches_tracked')]
    if missing or unexpected:
        sys.exit(f'{weights}: missing {missing}, unexpected {unexpected}')
    return model


def nchw(x):
    return x.permute(0, 3, 1, 2).contiguous()


def forward(name, weights, data, out):
    model = load(weights, NETWORKS[name]).eval()
    with torch.no_grad():
        y = model(nchw(read_safetensors(data)['x']))
    write_safetensors(out, {'y': y})


def train(weights, data, out_weights, out):
    distributed = 'WORLD_SIZE' in os.environ
    if distributed:
        dist.init_process_group('gloo')
    rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
    torch.manual_seed(0)
    model = load(weights)
    trained = DistributedDataParallel(model) if distributed else model
    tensors = read_safetensors(data)
    x, labels = nchw(tensors['x']), tensors['labels'].long()
    # Each process its share of the batch, as a DistributedSampler would give it.
    mine = slice(rank, None, world)
    optimizer = torch.optim.SGD(trained.parameters(), lr=LEARNING_RATE)
    for step in range(STEPS):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(trained(x[mine]), labels[mine])
        loss.backward()
        optimizer.step()
        print(f'rank {rank}/{world} step {step + 1}: loss {loss.item():.4f}', flush=True)
    if rank == 0:
        model.eval()
        with torch.no_grad():
            y = model(x)
        write_safetensors(out_weights, {k: v for k, v in model.state_dict().items() if not k.endswith('num_batches_tracked')})
        write_safetensors(out, {'y': y})
    if distributed:
        dist.destroy_process_group()


if __name__ == '__main__':
    command, *args = sys.argv[1:]
    {'forward': forward, 'train': train}[command](*args)
