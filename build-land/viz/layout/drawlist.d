build-land/viz/layout/drawlist.o: viz/layout/drawlist.c runtime/alloc.h \
 viz/layout/drawlist.h
runtime/alloc.h:
viz/layout/drawlist.h:
