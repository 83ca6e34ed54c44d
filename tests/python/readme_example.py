import numpy as np, vexfs
notes = vexfs.Collection.create("/mnt/docs/notes", dim=3, metric="cosine")
notes.add_many(["cat.txt", "dog.txt", "car.txt"], np.array([[1, .8, 0], [.8, 1, 0], [0, .1, 1]]))
paths, distances = notes.query([1, .9, 0], k=2)
print(paths, distances)
