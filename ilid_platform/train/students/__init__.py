"""What distils a CLIP teacher into a vision-only student: the `student_model` stage
(`stage`), the out-of-domain protocol that compares every objective with each shop held out
(`ood_protocol`), the objectives themselves (`objectives/`), and deployment (`export` to
ONNX, `predict`, and the `ilid` commands in `cli`)."""
