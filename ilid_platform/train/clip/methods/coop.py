"""CoOp (Zhou et al., IJCV 2022): learned prompt context in front of the class name.

16 context vectors shared by all classes, class token at the end: "<ctx_1..ctx_16> {name}.".
ILID initialises the context from "X X X X a photo of an industrial product"; its 10 tokens
take the last 10 of our 16 slots and the first 6 start as small random vectors, so the
untrained prompt already reads like the zero-shot one. Needs an open_clip `CLIP` with its own
text transformer (the prompt is spliced in after the token embedding).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
import torch.nn.functional as F
from open_clip.transformer import text_global_pool

from ilid_platform.train.clip.methods.base import Method
from ilid_platform.train.clip.models import LoadedClip

N_CTX = 16
CTX_INIT = "X X X X a photo of an industrial product"


def encode_embedded_text(
    model: torch.nn.Module, embeddings: torch.Tensor, tokens: torch.Tensor
) -> torch.Tensor:
    """open_clip's `CLIP.encode_text` from token embeddings onwards (not normalised)."""
    cast = model.transformer.get_cast_dtype()
    x = embeddings.to(cast) + model.positional_embedding.to(cast)
    x = model.transformer(x, attn_mask=model.attn_mask)
    x = model.ln_final(x)
    x = text_global_pool(x, tokens, model.text_pool_type, getattr(model, "text_eos_id", None))
    if isinstance(model.text_projection, torch.nn.Linear):
        return model.text_projection(x)
    return x @ model.text_projection


class PromptLearner(torch.nn.Module):
    def __init__(self, clip: LoadedClip, n_ctx: int = N_CTX, init: str = CTX_INIT) -> None:
        super().__init__()
        model = clip.model
        if not hasattr(model, "token_embedding"):
            raise TypeError("CoOp needs an open_clip CLIP with its own text transformer")
        self.n_ctx = n_ctx
        self.tokenizer = clip.tokenizer
        width = model.token_embedding.weight.shape[1]
        init_tokens = self.tokenizer([init])[0]
        n_init = int((init_tokens.argmax() - 1).item())  # tokens between <sot> and <eot>
        if n_init > n_ctx:
            raise ValueError(f"context init {init!r} has {n_init} tokens, more than {n_ctx}")
        with torch.no_grad():
            embedded = model.token_embedding(init_tokens[None].to(model.logit_scale.device))
        ctx = torch.empty(n_ctx, width, device=embedded.device)
        torch.nn.init.normal_(ctx, std=0.02)
        ctx[n_ctx - n_init :] = embedded[0, 1 : 1 + n_init]
        self.ctx = torch.nn.Parameter(ctx)

    def forward(
        self, names: Sequence[str], token_embedding: torch.nn.Module
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(prompt embeddings, token ids) for "<ctx> {name}." per class name."""
        placeholder = " ".join(["X"] * self.n_ctx)
        tokens = self.tokenizer([f"{placeholder} {name}." for name in names]).to(self.ctx.device)
        with torch.no_grad():
            embedded = token_embedding(tokens)
        ctx = self.ctx.to(embedded.dtype).expand(len(names), -1, -1)
        prompts = torch.cat([embedded[:, :1], ctx, embedded[:, 1 + self.n_ctx :]], dim=1)
        return prompts, tokens


class CoOp(Method):
    name: ClassVar[str] = "coop"
    trains: ClassVar[bool] = True
    lr: ClassVar[float] = 2e-3

    def __init__(
        self, clip: LoadedClip, classes: Sequence[str], n_ctx: int = N_CTX, **options: Any
    ) -> None:
        super().__init__(clip, classes, **options)
        self.prompt_learner = PromptLearner(clip, n_ctx)

    def prompt_embeddings(self, names: Sequence[str]) -> torch.Tensor:
        prompts, tokens = self.prompt_learner(names, self.clip.token_embedding)
        return F.normalize(encode_embedded_text(self.clip, prompts, tokens).float(), dim=-1)

    def class_embeddings(self, names: Sequence[str]) -> torch.Tensor | None:
        return self.prompt_embeddings(names)

    def encode_text(self, texts: Sequence[str]) -> torch.Tensor | None:
        return None

    def trained_state(self) -> dict[str, torch.Tensor]:
        return {"prompt_learner.ctx": self.prompt_learner.ctx.detach().cpu(), **self._adapters()}

    def _adapters(self) -> dict[str, torch.Tensor]:
        return {
            k: v.detach().cpu()
            for k, v in self.state_dict().items()
            if k.startswith(("image_adapter.", "text_adapter."))
        }
