build-land/viz/render/font.o: viz/render/font.c viz/render/font.h
viz/render/font.h:
