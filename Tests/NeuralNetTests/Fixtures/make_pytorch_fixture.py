# Makes pytorch-cnn.safetensors (a state_dict, F32), pytorch-cnn-f16.safetensors (the same in
# half precision) and pytorch-cnn-expected.safetensors (an input batch, NCHW, and PyTorch's
# logits for it), which PyTorchWeightsTests loads into the equivalent NeuralNet model.
# Run once with PyTorch and the safetensors package: python3 make_pytorch_fixture.py
import torch
from safetensors.torch import save_file

torch.manual_seed(7)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(2, 3, 3)
        self.bn1 = torch.nn.BatchNorm2d(3)
        self.fc1 = torch.nn.Linear(12, 5)
        self.fc2 = torch.nn.Linear(5, 4)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 2)
        return self.fc2(torch.relu(self.fc1(torch.flatten(x, 1))))


net = Net()
net.train()
for _ in range(3):  # running statistics that are not the defaults
    net(torch.randn(8, 2, 6, 6) * 2 + 1)
net.eval()
x = torch.randn(3, 2, 6, 6)
with torch.no_grad():
    logits = net(x)
state = net.state_dict()
order = {"order": ",".join(state)}
save_file(state, "pytorch-cnn.safetensors", metadata=order)
save_file({k: v.half() if v.is_floating_point() else v for k, v in state.items()}, "pytorch-cnn-f16.safetensors", metadata=order)
save_file({"input": x, "logits": logits}, "pytorch-cnn-expected.safetensors")
