import ContinualEngine
print("bench")
