# Makes pytorch-sequence.safetensors (a state_dict: Embedding, a 2-layer LSTM, a GRU, LayerNorm,
# MultiheadAttention, Linear) and pytorch-sequence-expected.safetensors (token ids and PyTorch's
# logits for them), which PyTorchWeightsTests loads into the equivalent NeuralNet model.
# Run once with PyTorch and the safetensors package: python3 make_pytorch_sequence_fixture.py
import torch
from safetensors.torch import save_file

torch.manual_seed(11)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(11, 6)
        self.lstm = torch.nn.LSTM(6, 8, num_layers=2, batch_first=True)
        self.gru = torch.nn.GRU(8, 6, batch_first=True)
        self.norm = torch.nn.LayerNorm(6)
        self.attention = torch.nn.MultiheadAttention(6, 2, batch_first=True)
        self.head = torch.nn.Linear(6, 11)

    def forward(self, ids):
        x = self.lstm(self.embedding(ids))[0]
        x = self.norm(self.gru(x)[0])
        x = self.attention(x, x, x, need_weights=False)[0]
        return self.head(x)


net = Net().eval()
ids = torch.randint(0, 11, (3, 5))
with torch.no_grad():
    logits = net(ids)
state = {k: v.contiguous() for k, v in net.state_dict().items()}
save_file(state, "pytorch-sequence.safetensors", metadata={"order": ",".join(state)})
save_file({"ids": ids.float(), "logits": logits}, "pytorch-sequence-expected.safetensors")
